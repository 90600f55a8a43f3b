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

    /// <inheritdoc/>
    public virtual bool NeedsStepValues => false;

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
    }

    /// <inheritdoc/>
    public virtual IAdvantageEstimator Create() => new GroupAdvantageEstimator(this);
}

/// <summary>A = (r − mean_group r) / (std + eps), clipped; zero-variance groups are not trained.</summary>
public sealed class GroupAdvantageEstimator(GroupAdvantageOptions options) : IAdvantageEstimator
{
    /// <inheritdoc/>
    public EpochAdvantages Estimate(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var a = Trajectory(options, input);
        return new EpochAdvantages(a.Values, [.. a.ZeroVarianceGroup.Select(z => !z)], null, a.ZeroStdRatio);
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
