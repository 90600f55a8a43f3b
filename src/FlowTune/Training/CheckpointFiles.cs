using FlowTune.IO;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Training;

/// <summary>
/// The files every training checkpoint folder shares (pretraining and RL; docs/FORMATS.md): the EMA weights, the
/// optimizer state and the trainer's JSON state. What else a folder holds belongs to its trainer.
/// </summary>
public static class CheckpointFiles
{
    /// <summary>EMA weights (state dict of the EMA model).</summary>
    public const string Ema = "ema.safetensors";

    /// <summary>AdamW moments and step counts (<see cref="AdamW.StateDict"/>).</summary>
    public const string Optimizer = "optimizer.safetensors";

    /// <summary>The trainer's own state record (step or epoch, seconds, options).</summary>
    public const string State = "trainer_state.json";

    /// <summary>Writes the optimizer state into <paramref name="directory"/>.</summary>
    public static void SaveOptimizer(string directory, AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var (tensors, meta) = optimizer.StateDict();
        TensorFile.Save(Path.Combine(directory, Optimizer), tensors, meta);
    }

    /// <summary>Restores the optimizer state written by <see cref="SaveOptimizer"/>.</summary>
    public static void LoadOptimizer(string directory, AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var (tensors, meta) = TensorFile.Load(Path.Combine(directory, Optimizer));
        try
        {
            optimizer.LoadStateDict(tensors, meta);
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }

    /// <summary>Writes the EMA model's weights.</summary>
    public static void SaveEma(string directory, Module ema)
    {
        ArgumentNullException.ThrowIfNull(ema);
        TensorFile.Save(Path.Combine(directory, Ema), ema.StateDict());
    }

    /// <summary>Writes the named tensors of <paramref name="module"/> (e.g. only the trained ones) to <paramref name="path"/>.</summary>
    public static void SaveNamed(string path, Module module, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        TensorFile.Save(path, module.StateDict().Where(p => wanted.Contains(p.Key)));
    }

    /// <summary>
    /// Copies the named tensors of <paramref name="module"/> from <paramref name="path"/>; every name must be in the
    /// file with the module's shape. Other tensors in the file are ignored (older checkpoints stored whole models).
    /// </summary>
    public static void LoadNamed(string path, Module module, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(names);
        var (tensors, _) = TensorFile.Load(path);
        try
        {
            var own = module.StateDict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var problems = new List<string>();
            foreach (var name in names)
            {
                if (!tensors.TryGetValue(name, out var saved))
                {
                    problems.Add($"no '{name}'");
                }
                else if (!own.TryGetValue(name, out var target))
                {
                    problems.Add($"'{name}' is not a tensor of {module.GetType().Name}");
                }
                else if (!saved.Shape.SequenceEqual(target.Shape))
                {
                    problems.Add($"'{name}': file shape [{string.Join(", ", saved.Shape)}] vs model [{string.Join(", ", target.Shape)}]");
                }
            }
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"{path}: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $" (and {problems.Count - 5} more)" : "")}");
            }
            using (Autograd.NoGrad())
            {
                foreach (var name in names)
                {
                    own[name].Copy_(tensors[name]);
                }
            }
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }
}
