using FlowTune.Cli.Progress;
using FlowTune.Cli.Launch;
using System.CommandLine;
using FlowTune.Common;
using FlowTune.Rl.Reporting;
using FlowTune.Rl;
using FlowTune.Rl.Comparison;
using FlowTune.Rl.Config;

namespace FlowTune.Cli.Commands;

/// <summary>
/// <c>flowtune compare</c>: several RL configs from the same base and seeds, at the same sample budget and/or the same
/// training time; table + curves + report.html.
/// </summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var configs = new Option<FileInfo[]>("--configs") { Description = "Config files; the first is the reference (e.g. plain Flow-GRPO).", Required = true, AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per config (1, 2, ... N).", DefaultValueFactory = _ => 3 };
        var budget = new Option<long?>("--budget") { Description = "Sampled images per run (with --minutes: whichever ends a run first)." };
        var minutes = new Option<double?>("--minutes") { Description = "Training minutes per run (evaluations not counted): a time-to-accuracy comparison." };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate every N epochs (image-budget comparisons).", DefaultValueFactory = _ => 10 };
        var evalMinutes = new Option<double>("--eval-minutes") { Description = "With --minutes: a quick evaluation every M training minutes.", DefaultValueFactory = _ => 5 };
        var fullMinutes = new Option<double>("--full-eval-minutes") { Description = "With --minutes: a full evaluation (562 images) every M training minutes and at the end; the table's milestones.", DefaultValueFactory = _ => 10 };
        var shard = new Option<string>("--shard") { Description = "Run only part of the runs in this process: K/N takes runs K, K+N, ... (start N processes with K = 0..N-1; each run resumes from its folder). The table covers every finished run.", DefaultValueFactory = _ => "0/1" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Train nothing: write the table and curves from the runs finished so far (e.g. while shards still run)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (runs, table.md, curves.html, report.html).", DefaultValueFactory = _ => new DirectoryInfo("runs/compare") };
        var command = new Command("compare", "Compare RL methods (e.g. Flow-GRPO, DiffusionNFT, SuperFlow parts) at equal sample budget or equal training time over several seeds.");
        var baseModel = CommonOptions.BaseModel();
        foreach (var o in new Option[] { configs, seeds, budget, minutes, evalEvery, evalMinutes, fullMinutes, shard, reportOnly, output, baseModel })
        {
            command.Options.Add(o);
        }
        var distributed = new DistributedOptions();
        distributed.AddTo(command);
        command.SetAction(parse =>
        {
            if (distributed.LaunchIfAsked(parse) is { } launched)
            {
                return launched;
            }
            var files = parse.GetValue(configs)!;
            if (files.Length == 0 || parse.GetValue(seeds) < 1)
            {
                throw new ArgumentException("need at least one --configs file and --seeds >= 1");
            }
            var limits = new ComparisonLimits(parse.GetValue(budget), parse.GetValue(minutes), parse.GetValue(evalEvery), parse.GetValue(evalMinutes), parse.GetValue(fullMinutes));
            var loaded = files.Select(f => (Path.GetFileNameWithoutExtension(f.Name), RlConfigLoader.Load(f.FullName, checkFiles: true, c => CommonOptions.WithBaseModel(c, parse.GetValue(baseModel))))).ToList();
            var dir = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(dir);
            using var parallel = distributed.Join(parse);
            return ConsoleProgress.Run((progress, log) =>
            {
                using var cts = CommonOptions.CancelOnCtrlC(log);
                var runner = new ComparisonRunner(dir, log);
                var plan = runner.Runs(loaded, Enumerable.Range(1, parse.GetValue(seeds)).ToList(), limits);
                var part = ComparisonRunner.Shard.Parse(parse.GetValue(shard)!);
                if (!parse.GetValue(reportOnly))
                {
                    runner.Train(plan, part, cts.Token, parallel, progress);
                }
                return parallel.IsMain ? Report(runner, plan, part, loaded, limits, dir, log) : CliApp.Ok;
            });
        });
        return command;
    }

    /// <summary>The table, curves and reports of the finished runs (rank 0).</summary>
    private static int Report(ComparisonRunner runner, IReadOnlyList<ComparisonRunner.Plan> plan, ComparisonRunner.Shard part,
        List<(string, RlConfig)> loaded, ComparisonLimits limits, string dir, TextWriter log)
    {
        var (runs, missing) = runner.Collect(plan);
        foreach (var m in missing)
        {
            log.WriteLine($"not finished yet (left out of the table): {m.Name}, seed {m.Seed} ({m.Directory})");
        }
        var schedule = part.Count == 1
            ? $"one run at a time, each alone in this process with {FlowTune.Torch.TorchRuntime.NumThreads} libtorch intra-op threads, in seed-major order"
            : $"{part.Count} processes side by side (--shard K/{part.Count}), each running its share one at a time with {FlowTune.Torch.TorchRuntime.NumThreads} libtorch intra-op threads";
        var clocks = loaded.Select(c => c.Item2.Clock).Distinct().Select(k => k == TrainingClockKind.Unstolen
            ? "wall time less the CPU time the hypervisor stole (clock: unstolen)"
            : "wall time (clock: wall)");
        schedule += "; training minutes: " + string.Join(" or ", clocks);
        var table = limits.Minutes is null ? ComparisonReport.Table(runs) : ComparisonReport.TimeTable(runs, limits.Milestones, schedule);
        File.WriteAllText(Path.Combine(dir, "table.md"), table);
        File.WriteAllText(Path.Combine(dir, "curves.html"), ComparisonReport.Html(runs, byMinutes: limits.Minutes is not null, table));
        // each finished run's own page first, so the comparison's page links to them
        foreach (var run in plan.Except(missing))
        {
            RunReport.Write(run.Directory);
        }
        var report = RunReport.Write(dir);
        log.WriteLine(table);
        log.WriteLine($"table and curves: {dir}");
        log.WriteLine($"report: {report}");
        return CliApp.Ok;
    }
}
