namespace FlowTune.Rl;

/// <summary>Statistics of one optimizer update (metrics.jsonl, kind "update").</summary>
public sealed record UpdateMetrics(
    int Epoch,
    long GlobalStep,
    double PolicyLoss,
    double KlLoss,
    double ApproxKl,
    double ClipFrac,
    double RatioMean,
    double RatioMin,
    double RatioMax,
    double GradNorm)
{
    /// <summary>Record kind.</summary>
    public string Kind => "update";
}

/// <summary>
/// Statistics of one epoch (metrics.jsonl, kind "epoch"); <see cref="TagMeans"/>: per prompt tag, the mean of each
/// reward component and of the total ("reward") over the epoch's rollouts; <see cref="TagImages"/>: per tag, the
/// images sampled and those trained on (not in a zero-variance group), which shows where adaptive groups spend the
/// budget. Both are absent in logs from older versions.
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double RewardMean,
    double RewardStd,
    IReadOnlyDictionary<string, double> ComponentMeans,
    double ZeroStdRatio,
    int Groups,
    int GroupSize,
    int TrainedSamples,
    double ImagesPerSecond,
    double SamplingSeconds,
    double RewardWaitSeconds,
    double TrainingSeconds,
    double ElapsedSeconds,
    double FirstUpdateMaxRatioDeviation,
    int Images,
    IReadOnlyDictionary<string, Dictionary<string, double>>? TagMeans = null,
    IReadOnlyDictionary<string, TagImageCounts>? TagImages = null)
{
    /// <summary>Record kind.</summary>
    public string Kind => "epoch";
}

/// <summary>Images of one prompt tag in an epoch: sampled, and trained on.</summary>
public sealed record TagImageCounts(int Sampled, int Trained);

/// <summary>
/// One evaluation (metrics.jsonl, kind "eval"): strict accuracy per tag, overall, reward, diversity; the training
/// seconds behind it, the images it judged, whether it used the full protocol, and whether it is the run's last (logs
/// from before these fields read 0/false).
/// </summary>
public sealed record EvalMetrics(
    int Epoch,
    double Overall,
    double MeanReward,
    double Diversity,
    IReadOnlyDictionary<string, double> Tags,
    double Seconds = 0,
    int Images = 0,
    bool Full = false,
    bool Final = false)
{
    /// <summary>Record kind.</summary>
    public string Kind => "eval";
}
