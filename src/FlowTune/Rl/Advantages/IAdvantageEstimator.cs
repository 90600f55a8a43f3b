namespace FlowTune.Rl.Advantages;

/// <summary>What an advantage estimator reads: the epoch's rewards in rollout order, with their groups and, when asked for, values.</summary>
/// <param name="Rewards">Reward of every rollout of the epoch.</param>
/// <param name="Groups">Group id of every rollout.</param>
/// <param name="Values">Values V_0 … V_T per rollout (only for estimators with <see cref="IAdvantageOptions.NeedsStepValues"/>).</param>
/// <param name="Grid">The rollouts' time grid t_0 = 1 … t_T = 0.</param>
/// <param name="VariableGroupSizes">Whether the planner makes groups of different sizes.</param>
/// <param name="GroupPrompts">The prompt text of every group id (estimators that track prompts read it).</param>
/// <param name="NoiseLevel">The rollouts' SDE noise level a (σ_t-scaled step advantages read it).</param>
public sealed record AdvantageInput(IReadOnlyList<double> Rewards, IReadOnlyList<int> Groups, IReadOnlyList<double[]>? Values,
    IReadOnlyList<double> Grid, bool VariableGroupSizes, IReadOnlyList<string>? GroupPrompts = null, double NoiseLevel = 0);

/// <summary>What an estimator may read besides its options: the run's per-prompt success trackers.</summary>
public sealed record AdvantageContext(SuperFlow.PromptSuccessTrackers Trackers);

/// <summary>The advantages of an epoch, in rollout order.</summary>
/// <param name="Values">Trajectory advantage of every rollout (0 in zero-variance groups).</param>
/// <param name="Trained">Whether each rollout is trained (false when its group's rewards were all equal).</param>
/// <param name="Steps">Per-step advantages [N][T] for step-level estimators, else null.</param>
/// <param name="ZeroStdRatio">Fraction of groups whose rewards were all equal.</param>
public sealed record EpochAdvantages(double[] Values, bool[] Trained, double[][]? Steps, double ZeroStdRatio)
{
    /// <summary>Rollouts trained on.</summary>
    public int TrainedCount => Trained.Count(t => t);
}

/// <summary>The advantage stage: turns an epoch's rewards into per-rollout (or per-step) advantages.</summary>
public interface IAdvantageEstimator
{
    /// <summary>The advantages of one epoch.</summary>
    EpochAdvantages Estimate(AdvantageInput input);
}

/// <summary>Options of an advantage estimator (<c>advantages: {name: …}</c>; see <see cref="AdvantageEstimators"/>).</summary>
public interface IAdvantageOptions
{
    /// <summary>Whether rollouts must score each step's one-step prediction (the values of step-level advantages).</summary>
    bool NeedsStepValues { get; }

    /// <summary>Whether the estimator gives each step its own advantage (only objectives that train steps can use them).</summary>
    bool ProducesStepAdvantages { get; }

    /// <summary>Every problem with the values.</summary>
    IEnumerable<string> Validate();

    /// <summary>The estimator (estimators that read the trackers require <paramref name="context"/>).</summary>
    IAdvantageEstimator Create(AdvantageContext? context = null);
}
