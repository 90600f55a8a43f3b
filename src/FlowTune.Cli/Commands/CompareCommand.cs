using System.CommandLine;
using FlowTune.Rl;
using FlowTune.Rl.Comparison;
using FlowTune.Rl.Config;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune compare</c>: several RL configs, same sample budget, same base, same seeds; table + curves.</summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var configs = new Option<FileInfo[]>("--configs") { Description = "Config files; the first is the reference (e.g. plain Flow-GRPO).", Required = true, AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per config (1, 2, ... N).", DefaultValueFactory = _ => 3 };
        var budget = new Option<long>("--budget") { Description = "Sampled images per run.", Required = true };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate every N epochs.", DefaultValueFactory = _ => 10 };
        var shard = new Option<string>("--shard") { Description = "Run only part of the runs in this process: K/N takes runs K, K+N, ... (start N processes with K = 0..N-1; each run resumes from its folder). The table covers every finished run.", DefaultValueFactory = _ => "0/1" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Train nothing: write the table and curves from the runs finished so far (e.g. while shards still run)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (runs, table.md, curves.html).", DefaultValueFactory = _ => new DirectoryInfo("runs/compare") };
        var command = new Command("compare", "Compare GRPO variants (e.g. Flow-GRPO vs SuperFlow parts) at equal sample budget over several seeds.");
        foreach (var o in new Option[] { configs, seeds, budget, evalEvery, shard, reportOnly, output })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var files = parse.GetValue(configs)!;
            if (files.Length == 0 || parse.GetValue(seeds) < 1 || parse.GetValue(budget) < 1)
            {
                throw new ArgumentException("need at least one --configs file, --seeds >= 1 and --budget >= 1");
            }
            var loaded = files.Select(f => (Path.GetFileNameWithoutExtension(f.Name), RlConfigLoader.Load(f.FullName))).ToList();
            var dir = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(dir);
            using var cts = CommonOptions.CancelOnCtrlC(Console.Out);
            var runner = new ComparisonRunner(dir, Console.Out);
            var plan = runner.Runs(loaded, Enumerable.Range(1, parse.GetValue(seeds)).ToList(), parse.GetValue(budget), parse.GetValue(evalEvery));
            var part = ComparisonRunner.Shard.Parse(parse.GetValue(shard)!);
            if (!parse.GetValue(reportOnly))
            {
                runner.Train(plan, part, cts.Token);
            }
            var (runs, missing) = runner.Collect(plan);
            foreach (var m in missing)
            {
                Console.WriteLine($"not finished yet (left out of the table): {m.Name}, seed {m.Seed} ({m.Directory})");
            }
            var table = ComparisonReport.Table(runs);
            File.WriteAllText(Path.Combine(dir, "table.md"), table);
            File.WriteAllText(Path.Combine(dir, "curves.html"), ComparisonReport.Html(runs));
            Console.WriteLine(table);
            Console.WriteLine($"table and curves: {dir}");
            return CliApp.Ok;
        });
        return command;
    }
}
