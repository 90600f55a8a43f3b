using System.Text.Json;
using FlowTune.IO;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Pretrained;

/// <summary>
/// Loads a diffusers/transformers component's safetensors weights into a <see cref="Module"/> whose state-dict keys
/// are the reference's own names: one file (<c>{stem}.safetensors</c>) or shards listed by
/// <c>{stem}.safetensors.index.json</c>. Every file's header is read and every key, shape and dtype is checked
/// against the module before any value is copied, and all problems are reported together, each naming its file;
/// values stored in F16/BF16 are converted to the module's dtype as they are copied.
/// </summary>
public static class PretrainedWeights
{
    private const int MaxListed = 20;

    /// <summary>
    /// Copies the weights found in <paramref name="folder"/> into <paramref name="module"/>. Throws
    /// <see cref="InvalidDataException"/> (missing, unexpected or mis-shaped keys, a truncated or unreadable file,
    /// an index naming a missing shard) or <see cref="FileNotFoundException"/> before anything is copied. Stored keys
    /// for which <paramref name="skip"/> is true (non-persistent buffers some exports contain, tied copies) are ignored.
    /// </summary>
    public static void LoadInto(Module module, string folder, string stem, Func<string, bool>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var files = ResolveFiles(folder, stem);
        var readers = new List<(string Path, SafeTensorsReader Reader)>();
        try
        {
            var problems = new List<string>();
            foreach (var path in files.Distinct())
            {
                try
                {
                    readers.Add((path, SafeTensorsReader.Open(path)));
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    problems.Add($"{path}: {e.Message}");
                }
            }
            ThrowIfAny(problems, folder);
            var found = new Dictionary<string, (string Path, SafeTensorsReader Reader, SafeTensorInfo Info)>(StringComparer.Ordinal);
            foreach (var (path, reader) in readers)
            {
                foreach (var info in reader.Tensors)
                {
                    if (skip?.Invoke(info.Name) == true)
                    {
                        continue;
                    }
                    if (found.TryGetValue(info.Name, out var other))
                    {
                        problems.Add($"{path}: '{info.Name}' is also stored in {other.Path}");
                        continue;
                    }
                    found[info.Name] = (path, reader, info);
                }
            }
            var own = module.StateDict().ToList();
            var ownNames = own.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            var where = files.Count == 1 ? files[0] : Path.Combine(folder, stem + ".safetensors.index.json");
            foreach (var (name, target) in own)
            {
                if (!found.TryGetValue(name, out var entry))
                {
                    problems.Add($"{where}: missing key '{name}' (expected shape [{Shape(target.Shape)}])");
                    continue;
                }
                if (!entry.Info.Shape.SequenceEqual(target.Shape))
                {
                    problems.Add($"{entry.Path}: '{name}': expected shape [{Shape(target.Shape)}], found [{Shape(entry.Info.Shape)}]");
                }
                if (entry.Info.DType is not (SafeTensorDTypes.F32 or SafeTensorDTypes.F16 or SafeTensorDTypes.BF16 or SafeTensorDTypes.F64))
                {
                    problems.Add($"{entry.Path}: '{name}': dtype {entry.Info.DType}, expected F32, F16, BF16 or F64");
                }
            }
            problems.AddRange(found.Where(f => !ownNames.Contains(f.Key)).Select(f => $"{f.Value.Path}: unexpected key '{f.Key}' (shape [{Shape(f.Value.Info.Shape)}])"));
            ThrowIfAny(problems, folder);
            using (Autograd.NoGrad())
            {
                foreach (var (name, target) in own)
                {
                    var (path, reader, info) = found[name];
                    using var source = Tensor.FromBytes(reader.ReadBytes(name), TensorFile.FromSafeTensorsName(info.DType), info.Shape);
                    target.Copy_(source);
                }
            }
        }
        finally
        {
            foreach (var (_, r) in readers)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>
    /// Builds a module with placeholder weights (<paramref name="create"/>, seeded 0), loads <paramref name="folder"/>'s
    /// weights into it and switches it to evaluation mode; on any error the module is disposed before the error
    /// propagates, so nothing is returned half-loaded.
    /// </summary>
    public static T Build<T>(string folder, string stem, Func<Generator, T> create, Func<string, bool>? skip = null) where T : Module
    {
        ArgumentNullException.ThrowIfNull(create);
        T model;
        using (var generator = new Generator(0))
        {
            model = create(generator);
        }
        try
        {
            LoadInto(model, folder, stem, skip);
            model.Eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The weight files of a component: the shards named by <c>{stem}.safetensors.index.json</c> (in index order)
    /// if it exists, else <c>{stem}.safetensors</c>. Errors name the folder and what was looked for.
    /// </summary>
    public static IReadOnlyList<string> ResolveFiles(string folder, string stem)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{folder}: model folder not found");
        }
        var index = Path.Combine(folder, stem + ".safetensors.index.json");
        var single = Path.Combine(folder, stem + ".safetensors");
        if (File.Exists(index))
        {
            return ReadIndex(index, folder);
        }
        if (File.Exists(single))
        {
            return [single];
        }
        var pickle = new[] { ".bin", ".pt", ".ckpt" }.Select(e => Path.Combine(folder, stem + e)).FirstOrDefault(File.Exists);
        throw new FileNotFoundException(pickle is null
            ? $"{folder}: no weights: expected {stem}.safetensors or {stem}.safetensors.index.json"
            : $"{pickle}: pickled PyTorch weights are not supported (they can run code on load); convert them to {stem}.safetensors");
    }

    private static List<string> ReadIndex(string index, string folder)
    {
        JsonElement map;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var m) || m.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{index}: no \"weight_map\" object");
            }
            map = m.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{index}: invalid JSON: {e.Message}", e);
        }
        var files = new List<string>();
        var problems = new List<string>();
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not { Length: > 0 } name || name.Contains('/') || name.Contains('\\'))
            {
                problems.Add($"{index}: '{entry.Name}': {entry.Value.GetRawText()}: expected a shard file name in this folder");
                continue;
            }
            var path = Path.Combine(folder, name);
            if (!files.Contains(path))
            {
                files.Add(path);
                if (!File.Exists(path))
                {
                    problems.Add($"{index}: shard {name} (holding '{entry.Name}' and maybe more) not found");
                }
            }
        }
        ThrowIfAny(problems, folder);
        if (files.Count == 0)
        {
            throw new InvalidDataException($"{index}: the weight map is empty");
        }
        return files;
    }

    private static void ThrowIfAny(List<string> problems, string folder)
    {
        if (problems.Count == 0)
        {
            return;
        }
        var shown = problems.Take(MaxListed).ToList();
        if (problems.Count > MaxListed)
        {
            shown.Add($"… and {problems.Count - MaxListed} more");
        }
        throw new InvalidDataException($"cannot load the weights of {folder} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): {string.Join("; ", shown)}");
    }

    private static string Shape(long[] shape) => string.Join(", ", shape);
}
