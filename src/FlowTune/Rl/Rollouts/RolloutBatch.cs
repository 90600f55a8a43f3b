using FlowTune.Rl.Prompts;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl.Rollouts;

/// <summary>
/// One sampling batch of an epoch, as the objective asked for it: the final images, the whole trajectory (states
/// and log-probs) only when the objective trains on transitions, and the encoded prompts, which training reuses
/// instead of encoding again. Owns its tensors.
/// </summary>
/// <param name="Round">The planner's round the batch belongs to.</param>
/// <param name="Groups">Group id of each rollout.</param>
/// <param name="Prompts">Prompt of each rollout.</param>
/// <param name="Final">x_T [B, C, H, W] (model space).</param>
/// <param name="Times">The time grid t_0 = 1 … t_T = 0.</param>
/// <param name="Trajectory">States [B, T+1, C, H, W] and log-probs [B, T]; null when the objective does not need them.</param>
/// <param name="Velocity">The guided velocity with the batch's prompts encoded (the sampling network's; the text encoder is frozen and shared).</param>
public sealed record RolloutBatch(
    int Round,
    IReadOnlyList<int> Groups,
    IReadOnlyList<PromptItem> Prompts,
    Tensor Final,
    double[] Times,
    Trajectory? Trajectory,
    GuidedVelocity Velocity) : IDisposable
{
    /// <summary>Number of rollouts.</summary>
    public int Count => Groups.Count;

    /// <summary>The trajectory, or an error naming what was not kept.</summary>
    public Trajectory RequireTrajectory() =>
        Trajectory ?? throw new InvalidOperationException("this objective needs the rollout trajectories, but the rollouts kept only final images (ObjectiveNeeds.Trajectory is false)");

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Final.Dispose();
        Trajectory?.Dispose();
        Velocity.Dispose();
    }
}
