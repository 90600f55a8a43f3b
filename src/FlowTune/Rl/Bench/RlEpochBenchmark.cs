using FlowTune.Common;
using FlowTune.Rl;
using FlowTune.Rl.Config;
using FlowTune.Torch;

namespace FlowTune.Rl.Bench;

/// <summary>
/// Times an RL config's training epoch under several thread settings in one process: a warm-up epoch per setting,
/// then <c>epochs</c> rounds that run one epoch under each setting in turn (so a slow spell of the machine hits every
/// setting alike). Settings are switched between epochs (<see cref="ThreadSetting.Apply"/>) and restored at the end.
/// </summary>
public static class RlEpochBenchmark
{
    /// <summary>The stages timed on the epoch's own thread, in print order (their sum plus "other" is the epoch).</summary>
    public static readonly IReadOnlyList<string> MainThreadStages =
    [
        StageTimes.SampleForward, StageTimes.SampleStep, StageTimes.SampleTextEncode, StageTimes.ToImages, StageTimes.RewardWait,
        StageTimes.PolicyForward, StageTimes.ReferenceForward, StageTimes.PolicyBackward,
        StageTimes.GradClip, StageTimes.OptimizerStep, StageTimes.EmaUpdate,
    ];

    /// <summary>Runs the benchmark; <paramref name="progress"/> sees every epoch (warm-ups included) as it ends.</summary>
    public static IReadOnlyList<RlThreadSummary> Run(RlConfig config, int epochs, IReadOnlyList<ThreadSetting> settings, Action<RlEpochTiming, bool>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        if (settings.Count == 0 || settings.Any(t => t.Threads < 1) || settings.Distinct().Count() != settings.Count)
        {
            throw new ArgumentException($"thread settings must be distinct with >= 1 thread, got [{string.Join("; ", settings.Select(s => s.Label))}]", nameof(settings));
        }
        var before = ThreadSetting.Current;
        var timed = settings.ToDictionary(t => t, _ => new List<RlEpochTiming>());
        try
        {
            using var runner = new RlEpochRunner(config);
            var epoch = 0;
            foreach (var t in settings)
            {
                t.Apply();
                progress?.Invoke(runner.Run(epoch++, t), true);
            }
            for (var round = 0; round < epochs; round++)
            {
                foreach (var t in settings)
                {
                    t.Apply();
                    var timing = runner.Run(epoch++, t);
                    timed[t].Add(timing);
                    progress?.Invoke(timing, false);
                }
            }
        }
        finally
        {
            before.Apply();
        }
        return settings.Select(t => RlThreadSummary.Of(timed[t])).ToList();
    }
}

/// <summary>Medians over the timed epochs of one thread setting.</summary>
/// <param name="Setting">The threading.</param>
/// <param name="Epochs">Timed epochs (warm-up excluded).</param>
/// <param name="Seconds">Median epoch wall time.</param>
/// <param name="ImagesPerSecond">Median images per second.</param>
/// <param name="Stages">Median seconds per stage of <see cref="RlEpochBenchmark.MainThreadStages"/>, plus the worker's reward scoring.</param>
/// <param name="OtherSeconds">Median of the epoch time not covered by the main-thread stages.</param>
public sealed record RlThreadSummary(ThreadSetting Setting, int Epochs, double Seconds, double ImagesPerSecond, IReadOnlyDictionary<string, double> Stages, double OtherSeconds)
{
    /// <summary>Summarises the epochs of one thread setting.</summary>
    public static RlThreadSummary Of(IReadOnlyList<RlEpochTiming> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        if (epochs.Count == 0)
        {
            throw new ArgumentException("no epochs to summarise", nameof(epochs));
        }
        var names = RlEpochBenchmark.MainThreadStages.Append(StageTimes.RewardScore);
        var stages = names.ToDictionary(n => n, n => Median(epochs.Select(e => e.Stage(n))), StringComparer.Ordinal);
        var other = Median(epochs.Select(e => e.Seconds - RlEpochBenchmark.MainThreadStages.Sum(e.Stage)));
        return new RlThreadSummary(epochs[0].Setting, epochs.Count, Median(epochs.Select(e => e.Seconds)),
            Median(epochs.Select(e => e.ImagesPerSecond)), stages, other);
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
