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
}
