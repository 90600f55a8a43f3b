using System.CommandLine;
using FlowTune.IO;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Cli.Commands;

/// <summary>
/// <c>flowtune sde-step</c>: one SDE/CPS step on tensors from a file, for checking parity with a PyTorch port.
/// Reads float32 x [B,...], v [B,...], t [B], t_next [B], x_next [B,...] and scalar t_grid1; writes mean, std, log_prob.
/// </summary>
public static class SdeStepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "safetensors with x, v, t, t_next, x_next, t_grid1.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "safetensors to write mean, std, log_prob into.", Required = true };
        var kind = new Option<SdeKind>("--kind") { Description = "sde or cps.", DefaultValueFactory = _ => SdeKind.Sde };
        var noise = new Option<double>("--noise-level") { Description = "Noise level a.", DefaultValueFactory = _ => 0.7 };
        var command = new Command("sde-step", "Compute one Flow-GRPO SDE/CPS step (mean, std, log_prob) from tensors on disk.");
        foreach (var o in new Option[] { input, output, kind, noise })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            Run(parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName, parse.GetValue(kind), parse.GetValue(noise));
            Console.WriteLine($"wrote {parse.GetValue(output)!.FullName}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Reads the inputs, computes the step and writes the outputs.</summary>
    public static void Run(string input, string output, SdeKind kind, double noiseLevel)
    {
        var (tensors, _) = TensorFile.Load(input);
        using var scope = TensorScope.Enter();
        Tensor Need(string name) => tensors.TryGetValue(name, out var t)
            ? (t.DType == DType.Float32 ? t : throw new InvalidDataException($"{input}: '{name}' must be F32, is {t.DType}"))
            : throw new InvalidDataException($"{input}: missing tensor '{name}' (needs x, v, t, t_next, x_next, t_grid1)");
        var x = Need("x");
        var tGrid1 = Need("t_grid1");
        if (tGrid1.NumElements != 1)
        {
            throw new InvalidDataException($"{input}: 't_grid1' must be a scalar");
        }
        using var transition = SdeStep.Transition(kind, x, Need("v"), Need("t"), Need("t_next"), noiseLevel, tGrid1.Item());
        var logp = SdeStep.LogProb(kind, transition, Need("x_next"));
        TensorFile.Save(output, [new("mean", transition.Mean), new("std", transition.Std), new("log_prob", logp)],
            new Dictionary<string, string> { ["kind"] = kind.ToString().ToLowerInvariant(), ["noise_level"] = noiseLevel.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        TensorFile.DisposeAll(tensors);
    }
}
