namespace FlowTune.Worlds;

/// <summary>
/// Draws prompt indices with every tag equally likely, then a prompt uniformly within the tag, so tags with few
/// prompts (single_object) are not drowned by tags with many (color_attr). Used for pretraining data and RL epochs.
/// </summary>
public sealed class TagBalancedDraw
{
    private readonly List<int>[] _byTag;

    /// <summary>Groups <paramref name="prompts"/> by tag (tags without prompts are skipped).</summary>
    public TagBalancedDraw(IReadOnlyList<GenEvalEntry> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _byTag = GenEvalTags.All.Select(t => Enumerable.Range(0, prompts.Count).Where(i => prompts[i].Tag == t).ToList()).Where(l => l.Count > 0).ToArray();
        if (_byTag.Length == 0)
        {
            throw new ArgumentException("no prompts", nameof(prompts));
        }
    }

    /// <summary>The index of the next prompt (two draws from <paramref name="random"/>: the tag, then the prompt).</summary>
    public int Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var tag = _byTag[random.Next(_byTag.Length)];
        return tag[random.Next(tag.Count)];
    }
}
