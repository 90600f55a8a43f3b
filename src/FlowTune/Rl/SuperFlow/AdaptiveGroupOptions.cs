using FlowTune.Rl.Groups;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// SuperFlow's variance-aware group sizes (<c>groups: {name: adaptive}</c>; docs/ALGORITHMS.md §6.2): an epoch's
/// budget is spread over prompts in rounds by each prompt's estimated reward std (<see cref="AdaptiveGroupPlanner"/>).
/// </summary>
public sealed record AdaptiveGroupOptions : IGroupOptions
{
    /// <summary>P: sizes the candidate draw (max(4·P, 2·budget / first_round_size) prompts) and, with K, the default budget.</summary>
    public int NumGroupsPerEpoch { get; init; } = 8;

    /// <summary>K: with P, the default budget P×K (the fixed run's, so budgets match).</summary>
    public int NumImagePerPrompt { get; init; } = 12;

    /// <summary>Images per epoch (0 = P×K).</summary>
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

    /// <inheritdoc/>
    public int ImagesPerEpoch => Budget > 0 ? Budget : NumGroupsPerEpoch * NumImagePerPrompt;

    /// <inheritdoc/>
    public bool VariableGroupSizes => true;

    /// <inheritdoc/>
    public string Describe() =>
        $"{ImagesPerEpoch} images per epoch in variance-aware groups of {MinGroupSize}–{MaxGroupSize} (first round {FirstRoundSize}{(StratifyTags ? ", tag shares kept" : "")})";

    /// <inheritdoc/>
    public IGroupPlanner Create(int seed, PromptSuccessTrackers? trackers = null) => new AdaptiveGroupPlanner(this, seed);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in GroupCounts.Validate(NumGroupsPerEpoch, NumImagePerPrompt))
        {
            yield return problem;
        }
        if (Budget < 0)
        {
            yield return $"groups.budget must be >= 0, got {Budget}";
        }
        if (MinGroupSize < 2 || MaxGroupSize < MinGroupSize)
        {
            yield return $"groups.min_group_size must be >= 2 and <= max_group_size, got {MinGroupSize}, {MaxGroupSize}";
        }
        if (FirstRoundSize < MinGroupSize || FirstRoundSize > MaxGroupSize)
        {
            yield return $"groups.first_round_size must lie in [min_group_size, max_group_size], got {FirstRoundSize}";
        }
        if (!(FirstRoundFraction is > 0 and <= 1))
        {
            yield return $"groups.first_round_fraction must be in (0, 1], got {FirstRoundFraction}";
        }
        if (!(PriorStrength >= 0))
        {
            yield return $"groups.prior_strength must be >= 0, got {PriorStrength}";
        }
    }
}
