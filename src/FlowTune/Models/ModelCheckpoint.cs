using FlowTune.IO;
using FlowTune.Models.Text;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>
/// A model on disk: <c>model.json</c> (architecture + vocabulary) and <c>model.safetensors</c> (weights, keys =
/// parameter paths). Checkpoints of training runs hold the same pair plus trainer files.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>File name of the architecture description.</summary>
    public const string ConfigFile = "model.json";

    /// <summary>File name of the weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>What <see cref="ConfigFile"/> holds.</summary>
    public sealed record Description(FlowModelConfig Config, IReadOnlyList<string> Vocabulary, int MaxLength);

    /// <summary>Writes config and weights of <paramref name="model"/> into <paramref name="directory"/> (optionally as another dtype).</summary>
    public static void Save(string directory, FlowModel model, IReadOnlyDictionary<string, string>? metadata = null, DType? storeAs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        Json.Write(Path.Combine(directory, ConfigFile), Describe(model));
        using var scope = TensorScope.Enter();
        var tensors = Lora.MergedState(model)       // LoRA adapters (if any) merged: a plain model on disk
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, storeAs is { } d ? p.Value.To(d) : p.Value))
            .ToList();
        TensorFile.Save(Path.Combine(directory, WeightsFile), tensors, metadata);
    }

    /// <summary>The description of <paramref name="model"/> as <see cref="ConfigFile"/> stores it (the tokenizer's specials are implicit).</summary>
    public static Description Describe(FlowModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Description(model.Config, model.Text.Tokenizer.Vocabulary.Skip(3).ToList(), model.Text.Tokenizer.MaxLength);
    }

    /// <summary>Builds the model described in <paramref name="directory"/> and loads its weights (stored dtype converted to float32).</summary>
    public static FlowModel Load(string directory)
    {
        var description = ReadDescription(directory);
        var model = Create(description);
        LoadWeights(model, Path.Combine(directory, WeightsFile));
        return model;
    }

    /// <summary>Reads <see cref="ConfigFile"/>, failing with a clear message when the folder is not a model.</summary>
    public static Description ReadDescription(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{directory}' is not a FlowTune model: {ConfigFile} is missing", path);
        }
        var description = Json.Read<Description>(path);
        var problems = description.Config.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: " + string.Join("; ", problems));
        }
        return description;
    }

    /// <summary>A freshly initialised model of the described shape (weights to be loaded).</summary>
    public static FlowModel Create(Description description, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(description);
        using var generator = new Generator(seed);
        return new FlowModel(description.Config, new Tokenizer(description.Vocabulary, description.MaxLength), generator);
    }

    /// <summary>
    /// Loads a weights file into <paramref name="model"/>. Every key must match, except that parameters of the model
    /// for which <paramref name="allowMissing"/> is true may be absent from the file (they keep their values).
    /// </summary>
    public static void LoadWeights(Module model, string weightsPath, Func<string, bool>? allowMissing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (tensors, _) = TensorFile.Load(weightsPath);
        try
        {
            model.LoadStateDict(tensors, allowMissing: allowMissing);
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }
}
