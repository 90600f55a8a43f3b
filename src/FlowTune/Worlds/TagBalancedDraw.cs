namespace FlowTune.Worlds;

/// <summary>
/// Draws prompt indices tag first, then a prompt uniformly within the tag, so tags with few prompts (single_object)
/// are not drowned by tags with many (color_attr). Tags are equally likely unless weights say otherwise (e.g. more
/// RL samples for the tags the model fails). Used for pretraining data and RL epochs.
/// </summary>
public sealed class TagBalancedDraw
{
    private readonly List<int>[] _byTag;
    private readonly double[]? _cumulative;

    /// <summary>Groups <paramref name="prompts"/> by tag (tags without prompts, or with weight 0, are skipped).</summary>
    /// <param name="prompts">The prompts to draw from.</param>
    /// <param name="weights">Relative tag weights (missing tags weigh 1); null = every tag equally likely.</param>
    public TagBalancedDraw(IReadOnlyList<GenEvalEntry> prompts, IReadOnlyDictionary<GenEvalTag, double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        double Weight(GenEvalTag t) => weights is not null && weights.TryGetValue(t, out var w) ? w : 1.0;
        var tags = GenEvalTags.All.Where(t => Weight(t) > 0 && prompts.Any(p => p.Tag == t)).ToList();
        _byTag = [.. tags.Select(t => Enumerable.Range(0, prompts.Count).Where(i => prompts[i].Tag == t).ToList())];
        if (_byTag.Length == 0)
        {
            throw new ArgumentException("no prompts (or every tag with prompts has weight 0)", nameof(prompts));
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

    /// <summary>The index of the next prompt (two draws from <paramref name="random"/>: the tag, then the prompt).</summary>
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
