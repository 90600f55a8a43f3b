using System.Diagnostics;

namespace FlowTune.Common;

/// <summary>
/// Seconds of training, carried over a resume (<paramref name="secondsBefore"/>) and paused while the run does
/// something that is not training (evaluations), so runs with different evaluation schedules compare fairly.
/// </summary>
public sealed class TrainingClock(double secondsBefore)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <summary>Training seconds so far.</summary>
    public double Seconds => secondsBefore + _watch.Elapsed.TotalSeconds;

    /// <summary>Stops counting until <see cref="Resume"/>.</summary>
    public void Pause() => _watch.Stop();

    /// <summary>Counts again.</summary>
    public void Resume() => _watch.Start();
}
