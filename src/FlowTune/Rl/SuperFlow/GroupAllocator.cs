namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// The allocation rule of variance-aware group sizing. Round 1 gives <c>first_round_size</c> images to the
/// candidate prompts with the largest estimated reward std (unseen prompts get the pooled prior, so they come
/// before prompts known to be always solved or always failed) until <c>first_round_fraction</c> of the budget is
/// spent. Prompts whose first-round rewards are all equal stop. The rest of the budget goes to the remaining
/// prompts in proportion to their estimated std (Neyman allocation), capped at <c>max_group_size</c>; what the caps
/// and stops free goes to new prompts' first rounds. Deterministic: ties keep the candidates' order.
/// </summary>
public static class GroupAllocator
{
    /// <summary>
    /// First-round sizes: (candidate index, size), in candidate order. With <paramref name="strata"/> (e.g. each
    /// candidate's tag) every stratum keeps the number of prompts it has among the first candidates (the draw's
    /// composition), and the std only chooses which of its candidates.
    /// </summary>
    public static List<(int Candidate, int Size)> FirstRound<TKey>(IReadOnlyList<double> candidateStd, int budget, AdaptiveGroupOptions options,
        IReadOnlyList<TKey>? strata)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(candidateStd);
        ArgumentNullException.ThrowIfNull(options);
        var spend = Math.Max(options.FirstRoundSize, (int)(budget * options.FirstRoundFraction));
        var count = Math.Min(candidateStd.Count, spend / options.FirstRoundSize);
        var ranked = Enumerable.Range(0, candidateStd.Count).OrderByDescending(i => candidateStd[i]).ThenBy(i => i);
        var chosen = strata is null
            ? ranked.Take(count)
            : Enumerable.Range(0, count).GroupBy(i => strata[i])
                .SelectMany(quota => ranked.Where(i => strata[i].Equals(quota.Key)).Take(quota.Count()));
        return chosen.Order().Select(i => (i, options.FirstRoundSize)).ToList();
    }

    /// <summary>First-round sizes by std alone (no strata).</summary>
    public static List<(int Candidate, int Size)> FirstRound(IReadOnlyList<double> candidateStd, int budget, AdaptiveGroupOptions options) =>
        FirstRound<int>(candidateStd, budget, options, strata: null);

    /// <summary>
    /// Extra images per active prompt (Neyman: ∝ std, each capped at <paramref name="room"/>), summing to at most
    /// <paramref name="remaining"/>; integer parts by largest remainder.
    /// </summary>
    public static int[] Neyman(IReadOnlyList<double> std, IReadOnlyList<int> room, int remaining)
    {
        ArgumentNullException.ThrowIfNull(std);
        ArgumentNullException.ThrowIfNull(room);
        var n = std.Count;
        var result = new int[n];
        var open = Enumerable.Range(0, n).Where(i => room[i] > 0 && std[i] > 0).ToList();
        var left = remaining;
        while (left > 0 && open.Count > 0)
        {
            var total = open.Sum(i => std[i]);
            var share = open.ToDictionary(i => i, i => left * std[i] / total);
            var capped = open.Where(i => share[i] >= room[i] - result[i]).ToList();
            if (capped.Count > 0)
            {
                foreach (var i in capped)
                {
                    left -= room[i] - result[i];
                    result[i] = room[i];
                }
                open = open.Except(capped).ToList();
                continue;
            }
            var floors = open.ToDictionary(i => i, i => (int)Math.Floor(share[i]));
            foreach (var i in open)
            {
                result[i] += floors[i];
            }
            var rest = left - floors.Values.Sum();
            foreach (var i in open.OrderByDescending(i => share[i] - floors[i]).ThenBy(i => i).Take(rest))
            {
                result[i]++;
            }
            left = 0;
        }
        return result;
    }

    /// <summary>
    /// Each std divided by the mean std of the entries with the same key (e.g. a prompt tag), so that every key's
    /// entries average 1 and a Neyman allocation gives each key a share in proportion to its number of entries.
    /// Entries of a key whose stds are all 0 stay 0.
    /// </summary>
    public static double[] RelativeToKeyMean<TKey>(IReadOnlyList<double> std, IReadOnlyList<TKey> keys)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(std);
        ArgumentNullException.ThrowIfNull(keys);
        if (std.Count != keys.Count)
        {
            throw new ArgumentException($"{std.Count} stds for {keys.Count} keys");
        }
        var means = Enumerable.Range(0, std.Count).GroupBy(i => keys[i]).ToDictionary(g => g.Key, g => g.Average(i => std[i]));
        return Enumerable.Range(0, std.Count).Select(i => means[keys[i]] > 0 ? std[i] / means[keys[i]] : 0).ToArray();
    }

    /// <summary>True when every reward of a group is the same (nothing to learn from it).</summary>
    public static bool AllEqual(IReadOnlyList<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        return rewards.Count == 0 || rewards.All(r => r == rewards[0]);
    }
}
