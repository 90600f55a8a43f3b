using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Rewards;

/// <summary>
/// Flow-GRPO's GenEval training reward: partial credit (mean over clauses of 1 − |count − found| / count, colour
/// and position clauses 0 or 1) from the world's judge. Components: <c>geneval</c> (the reward) and
/// <c>geneval_strict</c> (GenEval's all-clauses-correct, 0 or 1) for logging.
/// </summary>
public sealed class GenEvalReward(IImageJudge judge) : IRewardFunction
{
    /// <inheritdoc />
    public string Name => "geneval";

    /// <inheritdoc />
    public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(prompts);
        if (images.Count != prompts.Count)
        {
            throw new ArgumentException($"{images.Count} images but {prompts.Count} prompts");
        }
        var reward = new double[images.Count];
        var strict = new double[images.Count];
        Parallel.For(0, images.Count, i =>
        {
            var entry = prompts[i].Metadata as GenEvalEntry
                ?? throw new ArgumentException($"prompt '{prompts[i].Prompt}' has no GenEval metadata (got {prompts[i].Metadata?.GetType().Name ?? "none"}); the geneval reward needs it");
            var score = judge.Score(images[i], entry);
            reward[i] = score.Reward;
            strict[i] = score.Correct ? 1 : 0;
        });
        return new RewardBatch(reward, new Dictionary<string, double[]> { ["geneval"] = reward, ["geneval_strict"] = strict });
    }
}
