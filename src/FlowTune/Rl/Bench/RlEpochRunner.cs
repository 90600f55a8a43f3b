using System.Diagnostics;
using FlowTune.Common;
using FlowTune.Rl;
using FlowTune.Rl.Config;

namespace FlowTune.Rl.Bench;

/// <summary>
/// Runs the training epochs of an RL config exactly as <see cref="RlTrainer"/> does (the same <see cref="RlSession"/>
/// and <see cref="RlEpoch"/>), without evaluations, checkpoints or metrics files, and times each epoch with its
/// <see cref="StageTimes"/> breakdown.
/// </summary>
public sealed class RlEpochRunner(RlConfig config) : IDisposable
{
    private readonly RlSession _session = new(config);

    /// <summary>Runs epoch <paramref name="epoch"/> (0-based) and returns its wall time and stage times, labelled with <paramref name="setting"/>.</summary>
    public RlEpochTiming Run(int epoch, ThreadSetting setting)
    {
        var wasEnabled = StageTimes.Enabled;
        StageTimes.Reset();
        StageTimes.Enabled = true;
        var clock = Stopwatch.StartNew();
        EpochResult result;
        try
        {
            result = _session.RunEpoch(epoch, new TrainingClock(0));
        }
        finally
        {
            StageTimes.Enabled = wasEnabled;
        }
        var total = clock.Elapsed.TotalSeconds;
        var stages = StageTimes.Snapshot().ToDictionary(kv => kv.Key, kv => kv.Value.Seconds, StringComparer.Ordinal);
        var m = result.Metrics;
        return new RlEpochTiming(epoch, setting, m.Images, m.RewardMean, total, m.SamplingSeconds, stages);
    }

    /// <summary>Frees the models and optimizer state.</summary>
    public void Dispose() => _session.Dispose();
}

/// <summary>One timed epoch.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="Setting">The threading it ran with (a label: the caller put it in force).</param>
/// <param name="Images">Images sampled (and scored).</param>
/// <param name="RewardMean">Mean reward of the epoch's images (the trainer's <c>reward</c> metric of that epoch).</param>
/// <param name="Seconds">Wall time of the whole epoch.</param>
/// <param name="SamplingSeconds">Wall time of the rollouts (until the last batch was sampled).</param>
/// <param name="Stages">Seconds per <see cref="StageTimes"/> stage.</param>
public sealed record RlEpochTiming(int Epoch, ThreadSetting Setting, int Images, double RewardMean, double Seconds, double SamplingSeconds, IReadOnlyDictionary<string, double> Stages)
{
    /// <summary>Images per second of wall time.</summary>
    public double ImagesPerSecond => Images / Seconds;

    /// <summary>Seconds of a stage (0 when it did not run).</summary>
    public double Stage(string name) => Stages.TryGetValue(name, out var s) ? s : 0;
}
