using System.CommandLine;
using FlowTune.Torch;

namespace FlowTune.Cli;

/// <summary>
/// The options every command accepts (<c>--threads</c>, <c>--device</c>, <c>--verbose</c>). <see cref="CliApp"/> reads them once
/// and applies them before it dispatches to any command, so no command has to remember to.
/// </summary>
public sealed record GlobalOptions
{
    /// <summary>libtorch intra-op threads; null keeps the runtime's default (<c>FLOWTUNE_THREADS</c> or all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// The device models and tensors live on (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>); null keeps the CPU. Random
    /// numbers are drawn on the CPU either way, so a seed gives the same noise on every device.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>Print full stack traces on errors.</summary>
    public bool Verbose { get; init; }

    /// <summary>Every problem with these values, in the option names a user typed.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Threads is { } n && n < 1)
        {
            problems.Add($"--threads must be >= 1, got {n}");
        }
        if (Device is { } d && !TryParseDevice(d, out _, out var why))
        {
            problems.Add($"--device: {why}");
        }
        return problems;
    }

    private static bool TryParseDevice(string text, out Device device, out string why)
    {
        try
        {
            device = Torch.Device.Parse(text);
            why = "";
            return true;
        }
        catch (FormatException e)
        {
            device = Torch.Device.Cpu;
            why = e.Message;
            return false;
        }
    }

    /// <summary>Reads the global options from a parse of the command line.</summary>
    /// <param name="parse">A parse of <see cref="CliApp.Build"/>'s command tree.</param>
    public static GlobalOptions From(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new GlobalOptions
        {
            Threads = parse.GetValue(CliApp.Threads),
            Device = parse.GetValue(CliApp.DeviceOption),
            Verbose = parse.GetValue(CliApp.Verbose),
        };
    }

    /// <summary>Configures the process's libtorch runtime (the thread count and the default device, when given).</summary>
    public void ApplyToRuntime()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }
        if (Threads is { } n)
        {
            TorchRuntime.NumThreads = n;
        }
        if (Device is { } d)
        {
            TorchRuntime.DefaultDevice = Torch.Device.Parse(d);
        }
    }
}
