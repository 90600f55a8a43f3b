using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>Chooses the prompts of an epoch: distinct prompts, optionally drawn tag first (equally likely or weighted).</summary>
public sealed class EpochPrompts
{
    private readonly IReadOnlyList<GenEvalEntry> _all;
    private readonly TagBalancedDraw _balanced;
    private readonly bool _balance;

    /// <summary>Draws from <paramref name="prompts"/>; with <paramref name="balanceTags"/>, tags by <paramref name="tagWeights"/> (null = equally).</summary>
    public EpochPrompts(IReadOnlyList<GenEvalEntry> prompts, bool balanceTags, IReadOnlyDictionary<GenEvalTag, double>? tagWeights = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            throw new ArgumentException("no training prompts");
        }
        _all = prompts;
        _balance = balanceTags;
        _balanced = new TagBalancedDraw(prompts, tagWeights);
    }

    /// <summary>Indices of <paramref name="count"/> prompts (distinct while enough exist), determined by <paramref name="seed"/>.</summary>
    public IReadOnlyList<int> Draw(int count, int seed)
    {
        var random = new Random(seed);
        var chosen = new List<int>();
        var used = new HashSet<int>();
        for (var attempt = 0; chosen.Count < count && attempt < count * 50; attempt++)
        {
            int index;
            if (_balance)
            {
                index = _balanced.Next(random);
            }
            else
            {
                index = random.Next(_all.Count);
            }
            if (used.Add(index) || used.Count >= _all.Count)
            {
                chosen.Add(index);
            }
        }
        while (chosen.Count < count)
        {
            // fewer distinct prompts than asked for: repeats, still drawn by tag
            chosen.Add(_balance ? _balanced.Next(random) : random.Next(_all.Count));
        }
        return chosen;
    }
}
