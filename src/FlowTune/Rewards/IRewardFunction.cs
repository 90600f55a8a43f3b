using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Rewards;

/// <summary>
/// One prompt to score an image against: the text, and whatever metadata the reward needs (e.g. a GenEval entry for
/// the geneval reward), as the prompt source gave it.
/// </summary>
public sealed record RewardPrompt(string Prompt, object? Metadata = null);

/// <summary>Scores of a batch: the total per image, and named components (each one value per image) for logging.</summary>
public sealed record RewardBatch(double[] Scores, IReadOnlyDictionary<string, double[]> Components);

/// <summary>
/// A reward: scores a batch of images (managed pixels, so scoring can run on a worker thread while libtorch
/// samples the next batch) against their prompts. Implementations must be thread-safe.
/// </summary>
public interface IRewardFunction
{
    /// <summary>Registry name (e.g. "geneval").</summary>
    string Name { get; }

    /// <summary>Scores every image; <paramref name="prompts"/> is parallel to <paramref name="images"/>.</summary>
    RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts);
}
