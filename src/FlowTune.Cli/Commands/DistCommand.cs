using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FlowTune.Cli.Launch;
using FlowTune.Distributed;
using FlowTune.Torch;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune dist check</c>: runs every collective on the job's ranks and prints each rank's results and times.</summary>
public static class DistCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var group = new Command("dist", "Data-parallel jobs (c10d, Gloo).");
        group.Subcommands.Add(Check());
        return group;
    }

    private static Command Check()
    {
        var distributed = new DistributedOptions();
        var megabytes = new Option<double>("--megabytes") { Description = "Size of the all-reduce buffer in MB (float32).", DefaultValueFactory = _ => 16 };
        var rounds = new Option<int>("--rounds") { Description = "Timed repetitions of each collective (the median is printed).", DefaultValueFactory = _ => 5 };
        var command = new Command("check", "Run all-reduce, broadcast, all-gather and barrier on the job's ranks; print each rank's results and times (checks a cluster's network and ports).");
        distributed.AddTo(command);
        command.Options.Add(megabytes);
        command.Options.Add(rounds);
        command.SetAction(parse =>
        {
            if (distributed.LaunchIfAsked(parse) is { } launched)
            {
                return launched;
            }
            var mb = parse.GetValue(megabytes);
            var n = parse.GetValue(rounds);
            if (!(mb > 0) || n < 1)
            {
                throw new ArgumentException($"--megabytes must be > 0 (got {mb}) and --rounds >= 1 (got {n})");
            }
            using var parallel = distributed.Join(parse);
            return Run(parallel, (long)(mb * 1024 * 1024 / sizeof(float)), n);
        });
        return command;
    }

    private static int Run(DataParallel parallel, long elements, int rounds)
    {
        var (rank, size) = (parallel.Rank, parallel.Size);
        var failures = 0;
        void Report(string what, bool ok, List<double> seconds, string detail)
        {
            failures += ok ? 0 : 1;
            seconds.Sort();
            var median = seconds.Count > 0 ? seconds[seconds.Count / 2] * 1000 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rank {rank}/{size}: {what,-28} {(ok ? "ok  " : "FAIL")} median {median,8:F2} ms  {detail}"));
        }

        using var scope = TensorScope.Enter();
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            times.Add(Time(() => parallel.Barrier("barrier")));
        }
        Report("barrier", true, times, "");

        // all-reduce: rank r contributes r + 1, so the average is (size + 1) / 2 everywhere
        times = [];
        var expected = (size + 1) / 2.0;
        var good = true;
        for (var i = 0; i < rounds; i++)
        {
            using var inner = TensorScope.Enter();
            var parameter = Tensor.Zeros([elements]).WithRequiresGrad();
            (parameter * (rank + 1.0)).Sum().Backward(); // gradient = rank + 1 everywhere
            times.Add(Time(() => parallel.AverageGradients([parameter], "all-reduce")));
            good &= Math.Abs(parameter.Grad!.Max().Item() - expected) < 1e-6 && Math.Abs(parameter.Grad!.Min().Item() - expected) < 1e-6;
        }
        var bytes = elements * sizeof(float);
        var bus = 2.0 * (size - 1) / size * bytes; // a ring all-reduce moves 2 (n - 1) / n of the buffer per rank
        Report($"all-reduce {bytes / 1048576.0:F1} MB", good, times,
            string.Create(CultureInfo.InvariantCulture, $"average {expected:G3}; {bus / Math.Max(times[times.Count / 2], 1e-9) / 1e9:F2} GB/s bus bandwidth"));

        // broadcast from rank 0 and all-gather of each rank's number
        times = [];
        good = true;
        for (var i = 0; i < rounds; i++)
        {
            using var inner = TensorScope.Enter();
            var weights = Tensor.Full([1024], rank == 0 ? 7 : -1).WithRequiresGrad();
            times.Add(Time(() => parallel.BroadcastFromMain([weights], "broadcast")));
            good &= weights.Min().Item() == 7 && weights.Max().Item() == 7;
        }
        Report("broadcast 4 KB from rank 0", good, times, "");
        times = [];
        double[] gathered = [];
        for (var i = 0; i < rounds; i++)
        {
            times.Add(Time(() => gathered = parallel.AllGather([rank], "all-gather")));
        }
        Report("all-gather", gathered.SequenceEqual(Enumerable.Range(0, size).Select(r => (double)r)), times, $"[{string.Join(", ", gathered)}]");
        return failures == 0 ? CliApp.Ok : CliApp.RuntimeError;
    }

    private static double Time(Action body)
    {
        var clock = Stopwatch.StartNew();
        body();
        return clock.Elapsed.TotalSeconds;
    }
}
