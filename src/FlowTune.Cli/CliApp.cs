using System.CommandLine;
using FlowTune.Cli.Commands;

namespace FlowTune.Cli;

/// <summary>The <c>flowtune</c> command: builds the command tree and maps failures to exit codes.</summary>
public static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code for a runtime failure (bad file, libtorch error, ...).</summary>
    public const int RuntimeError = 1;

    /// <summary>Exit code for a usage error (unknown option, bad value).</summary>
    public const int UsageError = 2;

    /// <summary>Print stack traces on failure.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print full stack traces on errors.",
        Recursive = true,
    };

    /// <summary>libtorch intra-op threads.</summary>
    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "libtorch intra-op threads (default: FLOWTUNE_THREADS or all cores).",
        Recursive = true,
    };

    /// <summary>The device tensors are made on.</summary>
    public static readonly Option<string?> DeviceOption = new("--device")
    {
        Description = "Device for models and tensors: cpu, cuda or cuda:N (default: cpu). Needs a CUDA libtorch build for cuda.",
        Recursive = true,
    };

    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("FlowTune: online reinforcement learning of flow-matching image generators (libtorch from .NET).");
        root.Options.Add(Verbose);
        root.Options.Add(Threads);
        root.Options.Add(DeviceOption);
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(SampleCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(SdeStepCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(TextDiffCommand.Create());
        root.Subcommands.Add(InteropCommand.Create());
        root.Subcommands.Add(DistCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        return root;
    }

    /// <summary>Parses, applies the global options to the libtorch runtime and runs; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, options => options.ApplyToRuntime());

    /// <summary>
    /// Parses, hands the global options to <paramref name="applyGlobalOptions"/> (the one place they take effect,
    /// before any command runs) and runs the command; returns the process exit code.
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, Action<GlobalOptions> applyGlobalOptions)
    {
        ArgumentNullException.ThrowIfNull(applyGlobalOptions);
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
            }
            await Console.Error.WriteLineAsync("Run 'flowtune --help' for usage.");
            return UsageError;
        }
        var global = GlobalOptions.From(parse);
        try
        {
            applyGlobalOptions(global);
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync(global.Verbose ? $"error: {e}" : $"error: {Describe(e)}");
            return e is ArgumentException ? UsageError : RuntimeError;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException f => $"file not found: {f.FileName ?? f.Message}",
        _ => e.Message,
    };
}
