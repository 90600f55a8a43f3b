using System.CommandLine;
using System.Globalization;
using FlowTune.Cli.Bench;
using FlowTune.Models;
using FlowTune.Rl.Bench;
using FlowTune.Torch;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune bench ...</c>: benchmarks that print figures (speed targets are checked here, not in tests).</summary>
public static class BenchCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print figures.");
        var runs = new Option<int>("--runs") { Description = "Measurements per variant (medians are reported).", DefaultValueFactory = _ => 5 };
        var size = new Option<long>("--size") { Description = "Matrix size n for the n³ matmul.", DefaultValueFactory = _ => 1024 };
        var ops = new Command("ops", "fp32 matmul GFLOP/s through C# vs C++ (alternated), and conv2d forward+backward time.");
        ops.Options.Add(runs);
        ops.Options.Add(size);
        ops.SetAction(parse => RunOps(parse.GetValue(runs), parse.GetValue(size), Console.Out));
        bench.Subcommands.Add(ops);
        bench.Subcommands.Add(CreateModel());
        bench.Subcommands.Add(CreateRl());
        bench.Subcommands.Add(CreateSd3Memory());
        return bench;
    }

    private static Command CreateSd3Memory()
    {
        var config = new Option<FileInfo?>("--config") { Description = "A transformer/config.json (default: SD3.5-Medium's)." };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 512 };
        var text = new Option<int>("--text-tokens") { Description = "Prompt tokens: 77 CLIP + max_sequence_length T5.", DefaultValueFactory = _ => 77 + 256 };
        var rank = new Option<int>("--rank") { Description = "LoRA rank (alpha = 2·rank, the reference's targets).", DefaultValueFactory = _ => 32 };
        var command = new Command("sd3-memory", "Activation memory per image of LoRA training on an SD3 transformer, measured on shallow copies and extrapolated.");
        var precision = new Option<MixedPrecision>("--mixed-precision") { Description = "no (float32) or bf16 (bf16 base weights and autocast; CPU autocast has no fp16).", DefaultValueFactory = _ => MixedPrecision.No };
        foreach (var o in new Option[] { config, size, text, rank, precision })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var file = parse.GetValue(config);
            var c = file is null ? Sd3MemoryBenchmark.Sd35Medium : Models.Sd3.Sd3TransformerConfig.Load(file.FullName);
            var pixels = parse.GetValue(size);
            if (pixels <= 0 || pixels % (8 * c.PatchSize) != 0)
            {
                throw new ArgumentException($"--size must be a positive multiple of {8 * c.PatchSize}, got {pixels}");
            }
            Sd3MemoryBenchmark.Run(c, pixels, parse.GetValue(text), parse.GetValue(rank), parse.GetValue(precision), Console.Out);
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Runs <c>bench ops</c>; returns the exit code.</summary>
    public static int RunOps(int runs, long n, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (runs < 1 || n < 1)
        {
            throw new ArgumentException($"--runs and --size must be >= 1 (got {runs}, {n})");
        }
        var threads = TorchRuntime.NumThreads;
        var env = string.Join(", ", TorchRuntime.EnvironmentInForce.Select(kv => $"{kv.Key}={kv.Value}"));
        output.WriteLine($"libtorch {TorchRuntime.Version}, {threads} threads, {env}");
        using var generator = new Generator(0);
        var managed = new List<double>();
        var native = new List<double>();
        for (var r = 1; r <= runs; r++)
        {
            var cs = OpsBenchmark.MatmulGflops(n, 1.0, generator);
            managed.Add(cs);
            var cpp = OpsBenchmark.NativeMatmulGflops(n, threads);
            if (cpp is { } c)
            {
                native.Add(c);
            }
            output.WriteLine(Invariant($"matmul {n}³ run {r}/{runs}: C# {cs,7:F1} GFLOP/s   C++ {(cpp is null ? "n/a" : cpp.Value.ToString("F1", CultureInfo.InvariantCulture)),7} GFLOP/s"));
        }
        var csMedian = OpsBenchmark.Median(managed);
        output.WriteLine(Invariant($"matmul {n}³ median: C# {csMedian:F1} GFLOP/s"));
        if (native.Count > 0)
        {
            var cppMedian = OpsBenchmark.Median(native);
            output.WriteLine(Invariant($"matmul {n}³ median: C++ {cppMedian:F1} GFLOP/s; C#/C++ = {csMedian / cppMedian:P1}"));
        }
        else
        {
            output.WriteLine("C++ reference (matmul_bench) not found next to flowtune; build with scripts/build-native.sh");
        }
        var conv = OpsBenchmark.Conv2dForwardBackwardMs(32, 64, 32, Math.Max(5, runs), generator);
        var gflop = 3 * 2.0 * 32 * 64 * 64 * 9 * 32 * 32 / 1e9; // forward + two backward convolutions
        output.WriteLine(Invariant($"conv2d 3×3 [32, 64, 32, 32] 64→64 forward+backward: median {conv:F1} ms ({gflop / (conv / 1000):F1} GFLOP/s)"));
        return CliApp.Ok;
    }

    private static Command CreateModel()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset.", DefaultValueFactory = _ => ModelPresets.Default };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps.", DefaultValueFactory = _ => 10 };
        var command = new Command("model", "Training images/s (forward+backward+AdamW) and sampling images/s of a model preset, on random data.");
        command.Options.Add(preset);
        command.Options.Add(batch);
        command.Options.Add(steps);
        command.SetAction(parse =>
        {
            var r = ModelBenchmark.Run(ModelPresets.Get(parse.GetValue(preset)!), parse.GetValue(batch), parse.GetValue(steps));
            Console.WriteLine(Invariant($"{parse.GetValue(preset)}: {r.Parameters:N0} parameters; training {r.TrainImagesPerSecond:F1} img/s (median step {r.TrainStepMs:F0} ms, batch {parse.GetValue(batch)}); velocity forward {r.ForwardImagesPerSecond:F1} img/s ({TorchRuntime.NumThreads} threads)"));
            return CliApp.Ok;
        });
        return command;
    }

    private static Command CreateRl()
    {
        var config = new Option<FileInfo>("--config") { Description = "RL config whose epoch is timed.", DefaultValueFactory = _ => new FileInfo("configs/shapes-grpo.yaml") };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per thread count (after one warm-up each; medians are reported).", DefaultValueFactory = _ => 3 };
        var threads = new Option<string>("--threads-list") { Description = "Comma-separated libtorch thread counts, run in turn.", DefaultValueFactory = _ => "1,2" };
        var rowSplit = new Option<string>("--row-split")
        {
            Description = "Split inference batches into one row slice per thread: on, off, or both (each count above 1 runs both ways, side by side).",
            DefaultValueFactory = _ => "on",
        };
        rowSplit.AcceptOnlyFromAmong("on", "off", "both");
        var command = new Command("rl", "An RL config's training epoch (no evaluation) under several thread settings: stage breakdown and images/s.");
        command.Options.Add(config);
        command.Options.Add(epochs);
        command.Options.Add(threads);
        command.Options.Add(rowSplit);
        command.SetAction(parse =>
        {
            var list = Settings(ParseThreads(parse.GetValue(threads)!), parse.GetValue(rowSplit)!);
            var n = parse.GetValue(epochs);
            if (n < 1)
            {
                throw new ArgumentException($"--epochs must be >= 1, got {n}");
            }
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                throw new FileNotFoundException($"config not found: {file.FullName}", file.FullName);
            }
            RlBenchmark.Run(file.FullName, n, list, Console.Out);
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>The thread settings of <c>bench rl</c>: each count with row splitting on, off, or (above 1 thread) both.</summary>
    internal static IReadOnlyList<ThreadSetting> Settings(IReadOnlyList<int> threads, string rowSplit) => rowSplit switch
    {
        "on" => [.. threads.Select(t => new ThreadSetting(t, true))],
        "off" => [.. threads.Select(t => new ThreadSetting(t, false))],
        "both" => [.. threads.SelectMany(t => t == 1 ? new[] { new ThreadSetting(1, true) } : [new ThreadSetting(t, true), new ThreadSetting(t, false)])],
        _ => throw new ArgumentException($"--row-split must be on, off or both, got '{rowSplit}'"),
    };

    /// <summary>"1,2" → [1, 2]; every entry a distinct positive integer.</summary>
    internal static IReadOnlyList<int> ParseThreads(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var list = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var t) || t < 1)
            {
                throw new ArgumentException($"--threads-list entries must be positive integers, got '{p}'");
            }
            list.Add(t);
        }
        if (list.Count == 0 || list.Distinct().Count() != list.Count)
        {
            throw new ArgumentException($"--threads-list needs distinct thread counts, got '{text}'");
        }
        return list;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
