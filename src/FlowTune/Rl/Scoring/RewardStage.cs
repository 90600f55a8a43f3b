using FlowTune.Rewards;
using FlowTune.Rl.Rollouts;

namespace FlowTune.Rl.Scoring;

/// <summary>
/// The reward stage: starts scoring a sampled batch on a worker thread as soon as it exists, so the next batch
/// samples meanwhile. With step images it also scores every step's one-step predictions (the values of step-level
/// advantages).
/// </summary>
public sealed class RewardStage(AsyncRewardScorer scorer)
{
    /// <summary>Starts scoring <paramref name="sampled"/>.</summary>
    public PendingRewards Start(SampledBatch sampled)
    {
        ArgumentNullException.ThrowIfNull(sampled);
        var prompts = sampled.Batch.Prompts.Select(p => new RewardPrompt(p.Text, p.Metadata)).ToList();
        var final = scorer.Start(sampled.Images, prompts);
        if (sampled.StepImages is not { } perStep)
        {
            return new PendingRewards(final, null);
        }
        var n = sampled.Batch.Count;
        var values = Task.Run(async () =>
        {
            var stepScores = perStep.Select(images => scorer.Reward.Score(images, prompts).Scores).ToList();
            var last = (await final.ConfigureAwait(false)).Scores;
            return Enumerable.Range(0, n).Select(i => stepScores.Select(s => s[i]).Append(last[i]).ToArray()).ToArray();
        });
        return new PendingRewards(final, values);
    }
}
