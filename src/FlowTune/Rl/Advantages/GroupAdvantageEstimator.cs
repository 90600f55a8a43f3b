namespace FlowTune.Rl.Advantages;

/// <summary>Group-normalised advantages (<c>advantages: {name: group}</c>; docs/ALGORITHMS.md §5.3).</summary>
public record GroupAdvantageOptions : IAdvantageOptions
{
    /// <summary>Normalise by the std of all rewards of the epoch (true, the reference) or of the group.</summary>
    public bool GlobalStd { get; init; } = true;

    /// <summary>Advantages are clipped to ±this.</summary>
    public double ClipMax { get; init; } = 5.0;

    /// <summary>Added to the std before dividing.</summary>
    public double Eps { get; init; } = 1e-4;

    /// <summary>
    /// Scale a group of n by n/(n − 1) (a leave-one-out baseline, which keeps advantages comparable when group sizes
    /// differ). Null = on exactly when the group planner makes groups of different sizes.
    /// </summary>
    public bool? SmallGroupCorrection { get; init; }

    /// <summary>
    /// SuperFlow's σ_t-scaled step advantages (docs/ALGORITHMS.md §6.4): each step k of a rollout gets η·σ_k·A instead
    /// of A, so high-noise steps get more of the credit; needs an objective that trains steps (grpo).
    /// </summary>
    public bool SigmaSteps { get; init; }

    /// <summary>The scale η of <see cref="SigmaSteps"/> (null = 1 / mean_k σ_k: the steps' mean weight is 1).</summary>
    public double? SigmaEta { get; init; }

    /// <inheritdoc/>
    public virtual bool NeedsStepValues => false;

    /// <inheritdoc/>
    public virtual bool ProducesStepAdvantages => SigmaSteps;

    /// <inheritdoc/>
    public virtual IEnumerable<string> Validate()
    {
        if (!(ClipMax > 0))
        {
            yield return $"advantages.clip_max must be positive, got {ClipMax}";
        }
        if (!(Eps > 0))
        {
            yield return $"advantages.eps must be positive, got {Eps}";
        }
        if (SigmaEta is not null and not > 0)
        {
            yield return $"advantages.sigma_eta must be positive (or omitted), got {SigmaEta}";
        }
    }

    /// <inheritdoc/>
    public virtual IAdvantageEstimator Create(AdvantageContext? context = null) => new GroupAdvantageEstimator(this);
}

/// <summary>A = (r − mean_group r) / (std + eps), clipped; zero-variance groups are not trained; optionally σ_t-scaled per step.</summary>
public sealed class GroupAdvantageEstimator(GroupAdvantageOptions options) : IAdvantageEstimator
{
    /// <inheritdoc/>
    public EpochAdvantages Estimate(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var a = Trajectory(options, input);
        return new EpochAdvantages(a.Values, [.. a.ZeroVarianceGroup.Select(z => !z)], SuperFlow.SigmaSteps.For(options, input, a.Values), a.ZeroStdRatio);
    }

    /// <summary>The trajectory advantages every estimator of this family starts from.</summary>
    public static GroupAdvantageValues Trajectory(GroupAdvantageOptions options, AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        return GroupAdvantages.Compute(input.Rewards, input.Groups, options.GlobalStd, options.Eps, options.ClipMax,
            smallGroupCorrection: options.SmallGroupCorrection ?? input.VariableGroupSizes);
    }
}
