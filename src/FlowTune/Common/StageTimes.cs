using System.Collections.Concurrent;
using System.Diagnostics;

namespace FlowTune.Common;

/// <summary>
/// Process-wide named wall-clock accumulators for profiling (e.g. <c>flowtune bench rl</c>'s epoch breakdown). Off by
/// default: a disabled call is one flag read. When <see cref="Enabled"/>, every call adds its elapsed time and one to
/// the stage's count; calls from several threads may overlap (a stage timed on a worker thread runs beside the others).
/// </summary>
/// <example><code>
/// var v = StageTimes.Time(StageTimes.PolicyForward, () => velocity.At(x, t));
/// using (StageTimes.Measure("my stage")) { ... }
/// </code></example>
public static class StageTimes
{
    /// <summary>Velocity forwards of the rollouts (no gradient).</summary>
    public const string SampleForward = "sample forward";

    /// <summary>SDE transition, noise and log-likelihood of each rollout step.</summary>
    public const string SampleStep = "sample SDE step";

    /// <summary>Text encoding of a batch's prompts for sampling.</summary>
    public const string SampleTextEncode = "sample text encode";

    /// <summary>Final latents to images for the reward (main thread).</summary>
    public const string ToImages = "latents to images";

    /// <summary>Reward scoring on the worker thread (runs beside sampling).</summary>
    public const string RewardScore = "reward scoring (worker)";

    /// <summary>Waiting for rewards after sampling.</summary>
    public const string RewardWait = "reward wait";

    /// <summary>Policy velocity forward with gradient (update).</summary>
    public const string PolicyForward = "policy forward";

    /// <summary>Reference-policy velocity forward, no gradient (KL anchor).</summary>
    public const string ReferenceForward = "reference forward";

    /// <summary>Backward pass of the update loss.</summary>
    public const string PolicyBackward = "policy backward";

    /// <summary>Gradient-norm clipping.</summary>
    public const string GradClip = "grad clip";

    /// <summary>AdamW step.</summary>
    public const string OptimizerStep = "optimizer step";

    /// <summary>EMA update.</summary>
    public const string EmaUpdate = "EMA update";

    private static readonly ConcurrentDictionary<string, Accumulator> Accumulators = new(StringComparer.Ordinal);
    private static volatile bool _enabled;

    /// <summary>Whether calls record anything (default false).</summary>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Starts timing <paramref name="stage"/> until the returned scope is disposed.</summary>
    public static Scope Measure(string stage) => _enabled ? new Scope(stage, Stopwatch.GetTimestamp()) : default;

    /// <summary>Runs <paramref name="work"/> and adds its time to <paramref name="stage"/>; returns its result.</summary>
    public static T Time<T>(string stage, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (Measure(stage))
        {
            return work();
        }
    }

    /// <summary>Runs <paramref name="work"/> and adds its time to <paramref name="stage"/>.</summary>
    public static void Time(string stage, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (Measure(stage))
        {
            work();
        }
    }

    /// <summary>Adds <paramref name="seconds"/> (one call) to <paramref name="stage"/> when enabled.</summary>
    public static void Add(string stage, double seconds)
    {
        if (_enabled)
        {
            Record(stage, (long)(seconds * Stopwatch.Frequency));
        }
    }

    /// <summary>Every stage recorded since the last <see cref="Reset"/>: total seconds and number of calls.</summary>
    public static IReadOnlyDictionary<string, StageTotal> Snapshot() =>
        Accumulators.ToDictionary(kv => kv.Key,
            kv => new StageTotal((double)Interlocked.Read(ref kv.Value.Ticks) / Stopwatch.Frequency, Interlocked.Read(ref kv.Value.Count)),
            StringComparer.Ordinal);

    /// <summary>Clears every accumulator.</summary>
    public static void Reset() => Accumulators.Clear();

    private static void Record(string stage, long ticks)
    {
        var a = Accumulators.GetOrAdd(stage, _ => new Accumulator());
        Interlocked.Add(ref a.Ticks, ticks);
        Interlocked.Increment(ref a.Count);
    }

    private sealed class Accumulator
    {
        public long Ticks;
        public long Count;
    }

    /// <summary>An open measurement; disposing it records the elapsed time (nothing when timing was off).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly string? _stage;
        private readonly long _start;

        internal Scope(string stage, long start)
        {
            _stage = stage;
            _start = start;
        }

        /// <summary>Records the time since the scope opened.</summary>
        public void Dispose()
        {
            if (_stage is not null)
            {
                Record(_stage, Stopwatch.GetTimestamp() - _start);
            }
        }
    }
}

/// <summary>A stage's accumulated wall-clock seconds and number of timed calls.</summary>
public readonly record struct StageTotal(double Seconds, long Count);
