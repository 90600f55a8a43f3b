using FlowTune.IO;

namespace FlowTune.Rl.Comparison;

/// <summary>
/// Runs several GRPO configs for the same sample budget from the same base and seeds (<c>flowtune compare</c>):
/// each run gets ⌈budget / images per epoch⌉ epochs and is evaluated every <c>evalEvery</c> epochs.
/// </summary>
public sealed class ComparisonRunner(string outputDirectory, TextWriter log)
{
    /// <summary>Runs every config with every seed; returns the curves.</summary>
    public List<ComparisonRun> Run(IReadOnlyList<(string Name, GrpoConfig Config)> configs, IReadOnlyList<int> seeds, long budget, int evalEvery, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(seeds);
        var runs = new List<ComparisonRun>();
        foreach (var seed in seeds)
        {
            foreach (var (name, config) in configs)
            {
                if (cancel.IsCancellationRequested)
                {
                    return runs;
                }
                var perEpoch = ImagesPerEpoch(config);
                var epochs = (int)Math.Ceiling(budget / (double)perEpoch);
                var run = config with { Seed = seed, NumEpochs = epochs, EvalFreq = evalEvery, SaveFreq = Math.Max(1, epochs) };
                var dir = Path.Combine(outputDirectory, $"{name}_seed{seed}");
                log.WriteLine($"== {name}, seed {seed}: {epochs} epochs × {perEpoch} images");
                var trainer = new GrpoTrainer(run, dir, log);
                trainer.Run(resume: true, cancel);
                runs.Add(new ComparisonRun(name, seed, Curve(trainer, run)));
                Json.Write(Path.Combine(outputDirectory, "runs.json"), runs);
            }
        }
        return runs;
    }

    /// <summary>Images sampled per epoch by a config (the SuperFlow budget, or P×K).</summary>
    public static int ImagesPerEpoch(GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fixedSize = config.Sample.NumGroupsPerEpoch * config.Sample.NumImagePerPrompt;
        return config.Superflow.AdaptiveGroups && config.Superflow.Budget > 0 ? config.Superflow.Budget : fixedSize;
    }

    private static List<CurvePoint> Curve(GrpoTrainer trainer, GrpoConfig config)
    {
        var perEpoch = ImagesPerEpoch(config);
        return trainer.Evaluations.Select(e =>
        {
            var seconds = e.Epoch == 0 ? 0 : trainer.Epochs.FirstOrDefault(m => m.Epoch == e.Epoch)?.ElapsedSeconds ?? double.NaN;
            return new CurvePoint(e.Epoch, (long)e.Epoch * perEpoch, (long)e.Epoch * config.Train.UpdatesPerEpoch, seconds, e.Report.Overall, e.Report.MeanReward);
        }).ToList();
    }
}
