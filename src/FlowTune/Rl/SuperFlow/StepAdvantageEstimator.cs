using FlowTune.Rl.Advantages;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// Step-level advantages (<c>advantages: {name: step}</c>; docs/ALGORITHMS.md §6.3): the group advantage mixed with
/// each step's centred value gain, (1 − λ)·A_traj + λ·A_k (<see cref="StepAdvantages"/>).
/// </summary>
public sealed record StepAdvantageOptions : GroupAdvantageOptions
{
    /// <summary>λ: weight of the step advantage against the trajectory advantage (0 = plain group advantages).</summary>
    public double StepWeight { get; init; } = 0.5;

    /// <inheritdoc/>
    public override bool NeedsStepValues => true;

    /// <inheritdoc/>
    public override bool ProducesStepAdvantages => true;

    /// <inheritdoc/>
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate())
        {
            yield return problem;
        }
        if (!(StepWeight is >= 0 and <= 1))
        {
            yield return $"advantages.step_weight must be in [0, 1], got {StepWeight}";
        }
        if (SigmaSteps)
        {
            yield return "advantages.sigma_steps belongs to the group and tracker estimators; the step estimator makes its own step advantages";
        }
    }

    /// <inheritdoc/>
    public override IAdvantageEstimator Create(AdvantageContext? context = null) => new StepAdvantageEstimator(this);
}

/// <summary>Trajectory advantages as the group estimator's, plus per-step advantages from the values; σ = std of the epoch's rewards + eps.</summary>
public sealed class StepAdvantageEstimator(StepAdvantageOptions options) : IAdvantageEstimator
{
    /// <inheritdoc/>
    public EpochAdvantages Estimate(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = input.Values ?? throw new ArgumentException("step-level advantages need the rollouts' values (NeedsStepValues)", nameof(input));
        var a = GroupAdvantageEstimator.Trajectory(options, input);
        var steps = StepAdvantages.Compute(values, input.Groups, input.Grid, GroupAdvantages.Std(input.Rewards) + options.Eps, a.Values,
            options.StepWeight, options.ClipMax);
        return new EpochAdvantages(a.Values, [.. a.ZeroVarianceGroup.Select(z => !z)], steps, a.ZeroStdRatio);
    }
}
