using FlowTune.Common;
using FlowTune.Imaging;

namespace FlowTune.Rewards;

/// <summary>
/// Runs a reward on a worker thread so the libtorch thread can keep sampling: <c>var pending = scorer.Start(...);
/// ... sample the next batch ...; var rewards = await pending;</c> (or <c>.Result</c> when the caller is synchronous).
/// </summary>
public sealed class AsyncRewardScorer(IRewardFunction reward)
{
    /// <summary>The wrapped reward.</summary>
    public IRewardFunction Reward { get; } = reward ?? throw new ArgumentNullException(nameof(reward));

    /// <summary>Starts scoring on the thread pool (the images must not be changed until it completes).</summary>
    public Task<RewardBatch> Start(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts) =>
        Task.Factory.StartNew(() => StageTimes.Time(StageTimes.RewardScore, () => Reward.Score(images, prompts)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
