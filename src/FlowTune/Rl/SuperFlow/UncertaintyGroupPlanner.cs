using FlowTune.Rl.Groups;
using FlowTune.Rl.Prompts;
using FlowTune.Training;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// SuperFlow's group sizes as published (<c>groups: {name: uncertainty}</c>; docs/ALGORITHMS.md §6.4), scaled to our
/// budget: prompts sampled in proportion to their tracker's uncertainty w, binned by w into K bins, and bin b
/// (1 = the most uncertain) sampled with m = M_max − b + 1 images.
/// </summary>
public sealed record UncertaintyGroupOptions : IGroupOptions
{
    /// <summary>Prompts per epoch P.</summary>
    public int NumGroupsPerEpoch { get; init; } = 8;

    /// <summary>Group size of the most uncertain bin, M_max (the paper's example: 24; ours 13, so 8 prompts take ~96 images).</summary>
    public int MaxGroupSize { get; init; } = 13;

    /// <summary>Uncertainty bins K (groups of M_max − K + 1 … M_max images; the paper's example: 4).</summary>
    public int Bins { get; init; } = 4;

    /// <summary>ε of w = sqrt(v̂(1 − v̂) + ε): a floor that keeps solved prompts drawable.</summary>
    public double Epsilon { get; init; } = 1e-2;

    /// <summary>
    /// Candidates drawn per prompt kept: the epoch draws P × this from the prompt draw (tag-balanced when
    /// <c>prompts.balance_tags</c>), then keeps P of them with probability ∝ w, without replacement.
    /// </summary>
    public int CandidatesPerGroup { get; init; } = 4;

    /// <inheritdoc/>
    public int ImagesPerEpoch => NumGroupsPerEpoch * MaxGroupSize;

    /// <inheritdoc/>
    public bool VariableGroupSizes => Bins > 1;

    /// <inheritdoc/>
    public string Describe() => $"{NumGroupsPerEpoch} prompts drawn by uncertainty × {MaxGroupSize - Bins + 1}–{MaxGroupSize} images (by uncertainty bin)";

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (NumGroupsPerEpoch < 1)
        {
            yield return $"groups.num_groups_per_epoch must be >= 1, got {NumGroupsPerEpoch}";
        }
        if (Bins < 1 || MaxGroupSize - Bins + 1 < 2)
        {
            yield return $"groups.bins must be >= 1 and leave the least uncertain bin a group of 2 (max_group_size - bins + 1 >= 2), got bins {Bins}, max_group_size {MaxGroupSize}";
        }
        if (!(Epsilon > 0))
        {
            yield return $"groups.epsilon must be positive, got {Epsilon}";
        }
        if (CandidatesPerGroup < 1)
        {
            yield return $"groups.candidates_per_group must be >= 1, got {CandidatesPerGroup}";
        }
    }

    /// <inheritdoc/>
    public IGroupPlanner Create(int seed, PromptSuccessTrackers? trackers = null) =>
        new UncertaintyGroupPlanner(this, seed, trackers ?? throw new ArgumentNullException(nameof(trackers), "the uncertainty planner reads the run's success trackers"));
}

/// <summary>One round per epoch: the prompts and group sizes of <see cref="UncertaintyGroupOptions"/>. Its state is the trackers (saved by the run).</summary>
public sealed class UncertaintyGroupPlanner(UncertaintyGroupOptions options, int seed, PromptSuccessTrackers trackers) : IGroupPlanner
{
    /// <inheritdoc/>
    public GroupRound Begin(int epoch, PromptDraw prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var random = new Random(Seeds.Derive31(seed, RandomStreams.RlPrompts, epoch));
        var candidates = prompts.Draw(options.NumGroupsPerEpoch * options.CandidatesPerGroup, random.Next()).Distinct().Select(i => prompts.Prompts[i]).ToList();
        var weights = candidates.Select(c => trackers.Uncertainty(c.Text, options.Epsilon)).ToList();
        var chosen = WeightedWithoutReplacement(weights, options.NumGroupsPerEpoch, random);
        var groups = chosen.Select(i => candidates[i]).ToList();
        var sizes = Sizes([.. chosen.Select(i => weights[i])], options.MaxGroupSize, options.Bins);
        return new GroupRound(epoch, 0, groups, [.. sizes.SelectMany((m, g) => Enumerable.Repeat(g, m))]);
    }

    /// <inheritdoc/>
    public GroupRound? Next(GroupRound finished, Func<IReadOnlyList<IReadOnlyList<double>>> rewards) => null;

    /// <inheritdoc/>
    public void Save(string directory)
    {
    }

    /// <inheritdoc/>
    public void Restore(string directory)
    {
    }

    /// <summary>
    /// Group sizes from uncertainties: rank by w (largest first, ties by position), split the ranks into
    /// <paramref name="bins"/> bins of (nearly) equal count, bin b (1-based) gets M_max − b + 1.
    /// </summary>
    public static int[] Sizes(IReadOnlyList<double> uncertainty, int maxGroupSize, int bins)
    {
        ArgumentNullException.ThrowIfNull(uncertainty);
        var n = uncertainty.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => uncertainty[i]).ThenBy(i => i).ToList();
        var sizes = new int[n];
        for (var rank = 0; rank < n; rank++)
        {
            var bin = rank * bins / Math.Max(1, n);                // 0-based
            sizes[order[rank]] = maxGroupSize - bin;
        }
        return sizes;
    }

    /// <summary><paramref name="count"/> distinct indices drawn one at a time with probability ∝ weight among those left.</summary>
    public static List<int> WeightedWithoutReplacement(IReadOnlyList<double> weights, int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(random);
        var left = Enumerable.Range(0, weights.Count).ToList();
        var chosen = new List<int>();
        while (chosen.Count < count && left.Count > 0)
        {
            var u = random.NextDouble() * left.Sum(i => weights[i]);
            var pick = left.Count - 1;
            for (var j = 0; j < left.Count; j++)
            {
                u -= weights[left[j]];
                if (u < 0)
                {
                    pick = j;
                    break;
                }
            }
            chosen.Add(left[pick]);
            left.RemoveAt(pick);
        }
        return chosen;
    }
}
