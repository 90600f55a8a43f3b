using FlowTune.Rewards;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl;

/// <summary>One sampling batch of an epoch: its trajectories, prompts (by group), and the pending rewards.</summary>
public sealed class RolloutBatch : IDisposable
{
    /// <summary>Creates the batch record.</summary>
    public RolloutBatch(Trajectory trajectory, IReadOnlyList<int> groups, IReadOnlyList<string> prompts, Task<RewardBatch> rewards)
    {
        Trajectory = trajectory;
        Groups = groups;
        Prompts = prompts;
        Rewards = rewards;
    }

    /// <summary>States and log-probs of the rollouts.</summary>
    public Trajectory Trajectory { get; }

    /// <summary>Group (prompt slot of the epoch) of each rollout.</summary>
    public IReadOnlyList<int> Groups { get; }

    /// <summary>Prompt text of each rollout.</summary>
    public IReadOnlyList<string> Prompts { get; }

    /// <summary>Rewards, computed on a worker thread.</summary>
    public Task<RewardBatch> Rewards { get; }

    /// <summary>Values V_0 … V_T of every rollout (rewards of the one-step predictions, then the final reward), when step advantages are on.</summary>
    public Task<double[][]>? Values { get; init; }

    /// <summary>Per-step advantages [B][T] (step-level advantages), or null for trajectory advantages.</summary>
    public double[][]? StepAdvantages { get; set; }

    /// <summary>Advantages of the rollouts (set once the epoch's rewards are in).</summary>
    public double[] Advantages { get; set; } = [];

    /// <summary>Whether each rollout is trained (false for zero-variance groups).</summary>
    public bool[] Trained { get; set; } = [];

    /// <summary>The trained rollouts as a loss mask (zero-variance groups excluded).</summary>
    public TrainedMask Mask() => new(Tensor.FromArray(Trained.Select(t => t ? 1f : 0f).ToArray(), Trajectory.Count), Math.Max(1.0, Trained.Count(t => t)));

    /// <summary>Frees the trajectory.</summary>
    public void Dispose() => Trajectory.Dispose();
}

/// <summary>A [B] mask of the trained rollouts and their count (at least 1).</summary>
public readonly record struct TrainedMask(Tensor Values, double Count)
{
    /// <summary>Mean of per-rollout terms [B] over the trained rollouts.</summary>
    public Tensor Mean(Tensor terms) => (terms * Values).Sum() / Count;
}
