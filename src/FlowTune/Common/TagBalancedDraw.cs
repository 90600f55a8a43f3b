namespace FlowTune.Common;

/// <summary>
/// Draws item indices tag first, then an item uniformly within the tag, so tags with few items (the shapes world's
/// single_object prompts) are not drowned by tags with many (color_attr). Tags are equally likely unless weights say
/// otherwise (e.g. more RL samples for the tags the model fails). Used for pretraining data and RL epochs.
/// </summary>
public sealed class TagBalancedDraw
{
    private readonly List<int>[] _byTag;
    private readonly double[]? _cumulative;

    /// <summary>Groups the items by tag, in <paramref name="tagOrder"/> (tags without items, or with weight 0, are skipped).</summary>
    /// <param name="itemTags">The tag of every item (items without a tag are never drawn).</param>
    /// <param name="tagOrder">Every known tag, in the order the tag draw numbers them (it fixes which tag a draw picks).</param>
    /// <param name="weights">Relative tag weights (missing tags weigh 1); null = every tag equally likely.</param>
    public TagBalancedDraw(IReadOnlyList<string?> itemTags, IReadOnlyList<string> tagOrder, IReadOnlyDictionary<string, double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(itemTags);
        ArgumentNullException.ThrowIfNull(tagOrder);
        double Weight(string t) => weights is not null && weights.TryGetValue(t, out var w) ? w : 1.0;
        var tags = tagOrder.Where(t => Weight(t) > 0 && itemTags.Contains(t)).ToList();
        _byTag = [.. tags.Select(t => Enumerable.Range(0, itemTags.Count).Where(i => itemTags[i] == t).ToList())];
        if (_byTag.Length == 0)
        {
            throw new ArgumentException("no items (or every tag with items has weight 0)", nameof(itemTags));
        }
        var w = tags.Select(Weight).ToList();
        if (w.Any(x => x != w[0]))
        {
            // unequal weights: one uniform draw against the cumulative shares; equal weights keep the integer draw
            // (so runs without weights draw exactly as before)
            var total = w.Sum();
            var running = 0.0;
            _cumulative = [.. w.Select(x => (running += x) / total)];
        }
    }

    /// <summary>The index of the next item (two draws from <paramref name="random"/>: the tag, then the item).</summary>
    public int Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var tag = _byTag[_cumulative is null ? random.Next(_byTag.Length) : TagAt(random.NextDouble())];
        return tag[random.Next(tag.Count)];
    }

    private int TagAt(double u)
    {
        for (var i = 0; i < _cumulative!.Length - 1; i++)
        {
            if (u < _cumulative[i])
            {
                return i;
            }
        }
        return _cumulative.Length - 1;
    }
}
