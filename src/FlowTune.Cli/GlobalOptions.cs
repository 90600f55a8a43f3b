using System.CommandLine;
using FlowTune.Torch;

namespace FlowTune.Cli;

/// <summary>
/// The options every command accepts (<c>--threads</c>, <c>--verbose</c>). <see cref="CliApp"/> reads them once
/// and applies them before it dispatches to any command, so no command has to remember to.
/// </summary>
public sealed record GlobalOptions
{
    /// <summary>libtorch intra-op threads; null keeps the runtime's default (<c>FLOWTUNE_THREADS</c> or all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Print full stack traces on errors.</summary>
    public bool Verbose { get; init; }

    /// <summary>Every problem with these values, in the option names a user typed.</summary>
    public IReadOnlyList<string> Validate() =>
        Threads is { } n && n < 1 ? [$"--threads must be >= 1, got {n}"] : [];

    /// <summary>Reads the global options from a parse of the command line.</summary>
    /// <param name="parse">A parse of <see cref="CliApp.Build"/>'s command tree.</param>
    public static GlobalOptions From(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new GlobalOptions { Threads = parse.GetValue(CliApp.Threads), Verbose = parse.GetValue(CliApp.Verbose) };
    }

    /// <summary>Configures the process's libtorch runtime (the thread count, when one is given).</summary>
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
    }
}
