namespace FlowTune.Training;

/// <summary>
/// A run directory's <c>metrics.jsonl</c> (docs/FORMATS.md §6.1), shared by pretraining and RL: one JSON record per
/// line, appended as training goes (a resumed run appends again; readers keep each step's or epoch's last record);
/// the same numbers go to TensorBoard events files under <c>tensorboard/</c> (§6.4, <see cref="RunMetricsWriter"/>).
/// </summary>
public static class MetricsLog
{
    /// <summary>File name inside a run directory.</summary>
    public const string FileName = "metrics.jsonl";

    /// <summary>
    /// Opens (appending) the metrics file of <paramref name="runDirectory"/> and starts a new events file, which
    /// gets <paramref name="config"/> (the run's resolved config) as its text <c>config</c> when given.
    /// </summary>
    public static RunMetricsWriter Open(string runDirectory, string? config = null)
    {
        var writer = new RunMetricsWriter(runDirectory);
        try
        {
            if (config is not null)
            {
                writer.Config(config);
            }
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}

/// <summary>One pretraining log record (means over the steps since the previous record).</summary>
/// <param name="Step">Optimizer step.</param>
/// <param name="Loss">Flow-matching loss.</param>
/// <param name="CaptionLoss">Caption-structure loss (null without a caption head).</param>
/// <param name="ImagesPerSecond">Training images per second over the window.</param>
/// <param name="TrainSeconds">Training time so far (evaluations excluded; carried over a resume).</param>
public sealed record PretrainMetrics(long Step, double Loss, double? CaptionLoss, double ImagesPerSecond, double TrainSeconds);
