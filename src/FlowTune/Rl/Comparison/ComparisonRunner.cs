using FlowTune.Common;
using FlowTune.Distributed;
using FlowTune.Rl.Config;
using FlowTune.Evaluation;
using FlowTune.IO;

namespace FlowTune.Rl.Comparison;

/// <summary>
/// Runs several RL configs for the same sample budget from the same base and seeds (<c>flowtune compare</c>):
/// each run gets ⌈budget / images per epoch⌉ epochs and is evaluated every <c>evalEvery</c> epochs. Every run lives
/// in its own directory and resumes from it, so a stopped comparison continues where it was, and the runs can be
/// split over processes (<see cref="Shard"/>); the report reads every finished run's log. Evaluations share an
/// <see cref="EvalCache"/> in <c>eval-cache/</c>, so the base that every run evaluates at epoch 0 is evaluated once.
/// </summary>
public sealed class ComparisonRunner(string outputDirectory, TextWriter log)
{
    /// <summary>One (config, seed) run of the comparison.</summary>
    public sealed record Plan(string Name, int Seed, RlConfig Config, string Directory);

    /// <summary>This process runs plan entries <c>i</c> with <c>i % Count == Index</c>.</summary>
    public readonly record struct Shard(int Index, int Count)
    {
        /// <summary>Every run in one process.</summary>
        public static Shard All => new(0, 1);

        /// <summary>Parses <c>K/N</c> (0 ≤ K &lt; N).</summary>
        public static Shard Parse(string text)
        {
            var parts = (text ?? "").Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var k) || !int.TryParse(parts[1], out var n) || n < 1 || k < 0 || k >= n)
            {
                throw new ArgumentException($"--shard must be K/N with 0 <= K < N, got '{text}'");
            }
            return new Shard(k, n);
        }
    }

    /// <summary>
    /// Every run of the comparison, seed-major (all configs of seed 1 first), so a stopped comparison has whole seeds.
    /// An image budget gives ⌈budget / images per epoch⌉ epochs; a time limit sets <see cref="RlConfig.MaxTrainMinutes"/>
    /// and evaluations by training minutes (quick ones, and full ones at the milestones and the end).
    /// </summary>
    public IReadOnlyList<Plan> Runs(IReadOnlyList<(string Name, RlConfig Config)> configs, IReadOnlyList<int> seeds, ComparisonLimits limits)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(limits);
        Common.Validation.ThrowIfAny(limits.Validate(), "comparison");
        RlConfig Limited(RlConfig config, int seed)
        {
            var epochs = limits.Budget is { } budget ? (int)Math.Ceiling(budget / (double)config.ImagesPerEpoch) : 1_000_000;
            var limited = config with { Seed = seed, NumEpochs = epochs, EvalFreq = limits.EvalEveryEpochs, SaveFreq = Math.Max(1, Math.Min(epochs, 10)) };
            return limits.Minutes is not { } minutes ? limited : limited with
            {
                MaxTrainMinutes = minutes,
                EvalFreq = limits.Budget is null ? 0 : limits.EvalEveryEpochs,
                Eval = limited.Eval with { EveryMinutes = limits.EvalEveryMinutes, FullEveryMinutes = limits.FullEveryMinutes },
            };
        }
        return [.. from seed in seeds
                   from c in configs
                   select new Plan(c.Name, seed, Limited(c.Config, seed), Path.Combine(outputDirectory, $"{c.Name}_seed{seed}"))];
    }

    /// <summary>
    /// Trains this shard's runs (each resumes from its directory); stops early on <paramref name="cancel"/>. With
    /// <paramref name="parallel"/> every run is data-parallel over its ranks (all ranks walk the same plan; rank 0
    /// writes each run, and each run ends at a barrier, so every rank sees the same runs finished).
    /// </summary>
    public void Train(IReadOnlyList<Plan> plan, Shard shard, CancellationToken cancel, DataParallel? parallel = null, IProgress<ProgressReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var mine = Enumerable.Range(0, plan.Count).Where(i => i % shard.Count == shard.Index).ToList();
        for (var done = 0; done < mine.Count; done++)
        {
            var i = mine[done];
            if (cancel.IsCancellationRequested)
            {
                return;
            }
            var run = plan[i];
            if (Finished(ReadLog(run), run))
            {
                log.WriteLine($"== {run.Name}, seed {run.Seed}: finished earlier ({run.Directory})");
                continue;
            }
            var limit = run.Config.MaxTrainMinutes is { } minutes && run.Config.NumEpochs >= 1_000_000
                ? $"{minutes:0.#} training minutes"
                : $"{run.Config.NumEpochs} epochs" + (run.Config.MaxTrainMinutes is { } m ? $" or {m:0.#} training minutes" : "");
            log.WriteLine($"== {run.Name}, seed {run.Seed}: {limit}, {run.Config.ImagesPerEpoch} images per epoch");
            new RlTrainer(run.Config, run.Directory, log, new EvalCache(Path.Combine(outputDirectory, "eval-cache"))) { Parallel = parallel ?? DataParallel.Single, Progress = progress }.Run(resume: true, cancel);
            progress?.Report(new ProgressReport("compare", done + 1, mine.Count, "runs"));
        }
    }

    /// <summary>The curves of every finished run (and the plan entries not finished yet); also written to runs.json.</summary>
    public (List<ComparisonRun> Finished, List<Plan> Missing) Collect(IReadOnlyList<Plan> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var finished = new List<ComparisonRun>();
        var missing = new List<Plan>();
        foreach (var run in plan)
        {
            var runLog = ReadLog(run);
            if (Finished(runLog, run))
            {
                finished.Add(new ComparisonRun(run.Name, run.Seed, Curve(runLog, run.Config)));
            }
            else
            {
                missing.Add(run);
            }
        }
        Json.Write(Path.Combine(outputDirectory, "runs.json"), finished);
        return (finished, missing);
    }

    private static RunLog ReadLog(Plan run) => RunLog.Read(run.Directory, run.Config.NumEpochs);

    /// <summary>A run is finished when its log holds its last evaluation (after its last epoch, or when its time was up).</summary>
    private static bool Finished(RunLog runLog, Plan run) => runLog.Evaluations.Any(e => e.Final || e.Epoch == run.Config.NumEpochs);

    /// <summary>Evaluation points with the sampled images, optimizer steps and training seconds behind them.</summary>
    public static List<CurvePoint> Curve(RunLog runLog, RlConfig config)
    {
        ArgumentNullException.ThrowIfNull(runLog);
        ArgumentNullException.ThrowIfNull(config);
        var perEpoch = config.ImagesPerEpoch;
        return [.. runLog.Evaluations.Select(e => new CurvePoint(e.Epoch, (long)e.Epoch * perEpoch, (long)e.Epoch * config.Train.UpdatesPerEpoch,
            runLog.ElapsedAfter(e.Epoch), e.Overall, e.MeanReward) { Diversity = e.Diversity, Full = e.Full, Tags = e.Tags })];
    }
}
