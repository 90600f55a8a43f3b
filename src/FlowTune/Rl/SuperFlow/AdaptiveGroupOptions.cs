namespace FlowTune.Rl.SuperFlow;

/// <summary>Variance-aware group sizing (<c>superflow.*</c> in the config).</summary>
public sealed record AdaptiveGroupOptions
{
    /// <summary>Allocate group sizes by estimated reward std instead of a fixed K.</summary>
    public bool AdaptiveGroups { get; init; }

    /// <summary>Images per epoch (0 = the fixed run's P×K, so budgets match).</summary>
    public int Budget { get; init; }

    /// <summary>Smallest group trained (a group needs two members).</summary>
    public int MinGroupSize { get; init; } = 2;

    /// <summary>Largest group of one prompt in one epoch.</summary>
    public int MaxGroupSize { get; init; } = 24;

    /// <summary>Images of a prompt's first round.</summary>
    public int FirstRoundSize { get; init; } = 4;

    /// <summary>Share of the budget spent on first rounds before allocating the rest by std.</summary>
    public double FirstRoundFraction { get; init; } = 0.5;

    /// <summary>Pseudo-count of the pooled prior in each prompt's std estimate.</summary>
    public double PriorStrength { get; init; } = 2.0;

    /// <summary>
    /// Keep each prompt tag's share of the budget: the first round keeps the tag composition of the draw (the std
    /// only chooses prompts within a tag), and the rest is given by each prompt's estimated std relative to the mean
    /// of its tag's prompts. Without it the budget drifts to tags whose partial-credit rewards vary most (colours) and
    /// away from low-variance ones (counting).
    /// </summary>
    public bool StratifyTags { get; init; }

    /// <summary>Use step-level advantages.</summary>
    public bool StepAdvantages { get; init; }

    /// <summary>λ: weight of the step advantage against the trajectory advantage.</summary>
    public double StepWeight { get; init; } = 0.5;

    /// <summary>Every problem.</summary>
    public IEnumerable<string> Validate()
    {
        if (Budget < 0)
        {
            yield return $"superflow.budget must be >= 0, got {Budget}";
        }
        if (MinGroupSize < 2 || MaxGroupSize < MinGroupSize)
        {
            yield return $"superflow.min_group_size must be >= 2 and <= max_group_size, got {MinGroupSize}, {MaxGroupSize}";
        }
        if (FirstRoundSize < MinGroupSize || FirstRoundSize > MaxGroupSize)
        {
            yield return $"superflow.first_round_size must lie in [min_group_size, max_group_size], got {FirstRoundSize}";
        }
        if (!(FirstRoundFraction is > 0 and <= 1))
        {
            yield return $"superflow.first_round_fraction must be in (0, 1], got {FirstRoundFraction}";
        }
        if (!(PriorStrength >= 0))
        {
            yield return $"superflow.prior_strength must be >= 0, got {PriorStrength}";
        }
        if (!(StepWeight is >= 0 and <= 1))
        {
            yield return $"superflow.step_weight must be in [0, 1], got {StepWeight}";
        }
    }
}
