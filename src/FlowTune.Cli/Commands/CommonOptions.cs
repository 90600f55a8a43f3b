using System.CommandLine;
using System.Runtime.InteropServices;
using FlowTune.Common;
using FlowTune.Rl.Config;
using FlowTune.Worlds;

namespace FlowTune.Cli.Commands;

/// <summary>Options and helpers shared by several commands.</summary>
internal static class CommonOptions
{
    private static PosixSignalRegistration? Terminate { get; set; }

    public static Option<string> World() => new("--world") { Description = $"Benchmark world ({string.Join(", ", WorldRegistry.Names)}).", DefaultValueFactory = _ => "shapes" };

    /// <summary>--checkpoint: a model folder (required).</summary>
    public static Option<DirectoryInfo> Checkpoint() =>
        new("--checkpoint") { Description = "Model folder (model.json + model.safetensors), e.g. models/shapes-base.", Required = true };

    /// <summary>--base-model DIR: replaces the config's pretrained.model (train, compare).</summary>
    public static Option<string?> BaseModel() => new("--base-model")
    {
        Description = "Override pretrained.model: the base model folder, e.g. models/shapes-base-v1 to rerun a figure measured on the earlier base.",
    };

    /// <summary>The config with <paramref name="folder"/> as its base model; a missing folder is a config error naming it.</summary>
    public static RlConfig WithBaseModel(RlConfig config, string? folder)
    {
        if (folder is null)
        {
            return config;
        }
        if (!Directory.Exists(folder))
        {
            throw new ConfigException("command line", [new ConfigProblem("command line", null, "--base-model", folder, "an existing model folder (model.json + model.safetensors, or a diffusers pipeline)")]);
        }
        return config with { Pretrained = config.Pretrained with { Model = folder } };
    }

    /// <summary>--prompts with the given description.</summary>
    public static Option<FileInfo?> Prompts(string description) => new("--prompts") { Description = description };

    /// <summary>Prompts from a GenEval-format file, or the world's built-in split when no file is given.</summary>
    public static IReadOnlyList<GenEvalEntry> LoadPrompts(FileInfo? file, IWorld world, bool test)
    {
        if (file is null)
        {
            var (train, testSet) = world.DefaultPrompts();
            return test ? testSet : train;
        }
        if (!file.Exists)
        {
            throw new FileNotFoundException($"prompt file not found: {file.FullName}", file.FullName);
        }
        var entries = GenEvalMetadata.ParseFile(file.FullName);
        return entries.Count > 0 ? entries : throw new InvalidDataException($"{file.FullName}: no prompts");
    }

    /// <summary>
    /// Cancels the token on Ctrl+C or SIGTERM (the run stops after the current step and writes a checkpoint).
    /// SIGTERM matters for background runs: a shell starts them with SIGINT ignored.
    /// </summary>
    public static CancellationTokenSource CancelOnCtrlC(TextWriter log)
    {
        var cts = new CancellationTokenSource();
        Terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            log.WriteLine("SIGTERM: stopping after this step (a checkpoint will be written)");
            cts.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            if (!cts.IsCancellationRequested)
            {
                e.Cancel = true;
                log.WriteLine("stopping after this step (a checkpoint will be written); press Ctrl+C again to abort");
                cts.Cancel();
            }
        };
        return cts;
    }
}
