using FlowTune.Imaging;

namespace FlowTune.Rl.Rollouts;

/// <summary>A rollout batch with its images to score: the final images and, when values were asked for, each step's one-step predictions.</summary>
/// <param name="Batch">The rollouts.</param>
/// <param name="Images">Final images, one per rollout.</param>
/// <param name="StepImages">Per step k, the images of the predictions x0̂(x_k) (step-level values), or null.</param>
public sealed record SampledBatch(RolloutBatch Batch, IReadOnlyList<RgbImage> Images, IReadOnlyList<IReadOnlyList<RgbImage>>? StepImages);
