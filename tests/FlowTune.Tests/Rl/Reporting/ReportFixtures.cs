using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Rl.Reporting;
using FlowTune.Rl;
using FlowTune.Rl.Comparison;
using FlowTune.Training;

namespace FlowTune.Tests.Rl.Reporting;

/// <summary>Run directories written with the real record types and real PNG grids, without training anything.</summary>
internal static class ReportFixtures
{
    public static readonly string[] Tags = ["colors", "position"];

    public static string NewDirectory(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"report-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// An RL run of <paramref name="epochs"/> epochs: epoch and update records, evaluations at epoch 0 and at the end
    /// (with eval.json and one grid per tag), and config.yaml holding <paramref name="configText"/>.
    /// </summary>
    public static string RlRun(string dir, int epochs = 3, string configText = "num_epochs: 3\nseed: 1\n", double rewardOffset = 0)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), configText);
        using var metrics = MetricsLog.Open(dir);
        // in the order training writes them: the base's evaluation, the epochs, the final evaluation
        WriteEvaluation(dir, metrics, 0, 0);
        for (var e = 1; e <= epochs; e++)
        {
            metrics.Write(new UpdateMetrics(e, e, -0.01 * e, 0, 1e-4, 0.1, 1, 0.9, 1.1, 0.5));
            var components = new Dictionary<string, double> { ["count"] = 0.3 + 0.1 * e, ["color"] = 0.5 + 0.05 * e };
            metrics.Write(new EpochMetrics(e, 0.4 + 0.1 * e + rewardOffset, 0.2, components, 0.1, 8, 12, 96, 3.5,
                SamplingSeconds: 20 + e, RewardWaitSeconds: 2, TrainingSeconds: 15 + 2 * e, ElapsedSeconds: 40.0 * e,
                FirstUpdateMaxRatioDeviation: 1e-6, Images: 96));
        }
        WriteEvaluation(dir, metrics, epochs, epochs * 40.0);
        return dir;
    }

    private static void WriteEvaluation(string dir, RunMetricsWriter metrics, int epoch, double seconds)
    {
        var folder = Path.Combine(dir, "eval", $"epoch_{epoch:D4}");
        Directory.CreateDirectory(folder);
        var accuracy = Tags.Select((t, i) => (Tag: t, Accuracy: 0.2 + 0.1 * i + 0.05 * epoch)).ToList();
        foreach (var (tag, i) in Tags.Select((t, i) => (t, i)))
        {
            // four differently coloured 16×16 tiles per grid
            var tiles = Enumerable.Range(0, 4).Select(k => RgbImage.Filled(16, 16, k * 0.3f, 0.2f + 0.3f * i, 1 - 0.1f * epoch)).ToList();
            PngGridWriter.WriteFile(Path.Combine(folder, $"grid_{tag}.png"), tiles, columns: 2);
        }
        var overall = accuracy.Average(a => a.Accuracy);
        Json.Write(Path.Combine(folder, "eval.json"), new
        {
            tags = accuracy.Select(a => new { tag = a.Tag, accuracy = a.Accuracy, images = 4, prompts = 1 }),
            overall,
            mean_reward = overall,
            images = 8,
            seconds = 5.0 + epoch,
        });
        metrics.Write(new EvalMetrics(epoch, overall, overall, double.NaN, accuracy.ToDictionary(a => a.Tag, a => a.Accuracy), seconds, 8, Full: true, Final: epoch > 0));
    }

    /// <summary>A compare folder: runs.json and table.md for two configs of one seed, with their run directories.</summary>
    public static string Comparison(string dir)
    {
        var runs = new List<ComparisonRun>();
        foreach (var (config, offset) in new[] { ("grpo", 0.0), ("nft", 0.1) })
        {
            RlRun(Path.Combine(dir, $"{config}_seed1"), rewardOffset: offset);
            var log = RunLog.Read(Path.Combine(dir, $"{config}_seed1"));
            runs.Add(new ComparisonRun(config, 1, [.. log.Evaluations.Select(e => new CurvePoint(e.Epoch, e.Epoch * 96L, e.Epoch * 2L, e.Seconds, e.Overall + offset, e.MeanReward) { Full = true, Tags = e.Tags })]));
        }
        Json.Write(Path.Combine(dir, RunReport.RunsFile), runs);
        File.WriteAllText(Path.Combine(dir, "table.md"), ComparisonReport.Table(runs));
        return dir;
    }

    /// <summary>A pretraining run: loss records, the quick evaluations' curve and grids, options.json.</summary>
    public static string Pretraining(string dir)
    {
        using (var metrics = MetricsLog.Open(dir))
        {
            for (var step = 100; step <= 500; step += 100)
            {
                metrics.Write(new PretrainMetrics(step, 1.0 / step * 100, null, 50, step * 0.5));
            }
        }
        using (var curve = new JsonlWriter(Path.Combine(dir, "eval_curve.jsonl")))
        {
            curve.Write(new { step = 250, train_minutes = 2.0, overall = 0.1, mean_reward = 0.2, tags = new Dictionary<string, double> { ["colors"] = 0.1 } });
            curve.Write(new { step = 500, train_minutes = 4.0, overall = 0.3, mean_reward = 0.4, tags = new Dictionary<string, double> { ["colors"] = 0.3 } });
        }
        var folder = Path.Combine(dir, "samples", "step_000500");
        Directory.CreateDirectory(folder);
        PngGridWriter.WriteFile(Path.Combine(folder, "grid_colors.png"), [RgbImage.Filled(8, 8, 1, 0, 0), RgbImage.Filled(8, 8, 0, 1, 0)], columns: 2);
        File.WriteAllText(Path.Combine(dir, "options.json"), "{\n  \"preset\": \"tiny\"\n}");
        return dir;
    }
}
