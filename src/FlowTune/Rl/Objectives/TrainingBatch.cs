using FlowTune.Rl.Rollouts;
using FlowTune.Torch;

namespace FlowTune.Rl.Objectives;

/// <summary>One rollout batch with its advantages: what an objective trains on.</summary>
/// <param name="Rollouts">The rollouts (what the objective asked to keep).</param>
/// <param name="Advantages">Trajectory advantage of each rollout.</param>
/// <param name="Trained">Whether each rollout is trained (false in zero-variance groups).</param>
/// <param name="StepAdvantages">Per-step advantages [B][T], or null.</param>
public sealed record TrainingBatch(RolloutBatch Rollouts, IReadOnlyList<double> Advantages, IReadOnlyList<bool> Trained, IReadOnlyList<double[]>? StepAdvantages)
{
    /// <summary>Number of rollouts.</summary>
    public int Count => Rollouts.Count;

    /// <summary>Whether any rollout of the batch is trained.</summary>
    public bool AnyTrained => Trained.Any(t => t);

    /// <summary>The trained rollouts as a loss mask (zero-variance groups excluded).</summary>
    public TrainedMask Mask() => new(Tensor.FromArray(Trained.Select(t => t ? 1f : 0f).ToArray(), Count), Math.Max(1.0, Trained.Count(t => t)));
}

/// <summary>A [B] mask of the trained rollouts and their count (at least 1).</summary>
public readonly record struct TrainedMask(Tensor Values, double Count)
{
    /// <summary>Mean of per-rollout terms [B] over the trained rollouts.</summary>
    public Tensor Mean(Tensor terms) => (terms * Values).Sum() / Count;
}
