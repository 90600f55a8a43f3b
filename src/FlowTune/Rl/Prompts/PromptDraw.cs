using FlowTune.Common;

namespace FlowTune.Rl.Prompts;

/// <summary>Chooses the prompts of an epoch: distinct prompts, optionally drawn tag first (equally likely or weighted).</summary>
public sealed class PromptDraw
{
    private readonly int _count;
    private readonly TagBalancedDraw? _balanced;

    /// <summary>Draws from <paramref name="source"/> as <paramref name="options"/> say; an unknown or all-zero tag weight is an error naming the tags.</summary>
    public PromptDraw(IPromptSource source, PromptOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        Prompts = source.Prompts;
        if (Prompts.Count == 0)
        {
            throw new ArgumentException("no training prompts");
        }
        _count = Prompts.Count;
        var problems = options.TagWeights.Keys.Where(t => !source.Tags.Contains(t))
            .Select(t => $"prompts.tag_weights: unknown tag '{t}' (known: {string.Join(", ", source.Tags)})").ToList();
        if (options.TagWeights.Count > 0 && source.Tags.All(t => options.TagWeights.TryGetValue(t, out var w) && w == 0))
        {
            problems.Add("prompts.tag_weights leaves every tag out");
        }
        Validation.ThrowIfAny(problems, "prompts");
        if (options.BalanceTags)
        {
            _balanced = new TagBalancedDraw([.. Prompts.Select(p => p.Tag)], source.Tags, options.TagWeights);
        }
    }

    /// <summary>The prompts drawn from (draws are indices into it).</summary>
    public IReadOnlyList<PromptItem> Prompts { get; }

    /// <summary>Indices of <paramref name="count"/> prompts (distinct while enough exist), determined by <paramref name="seed"/>.</summary>
    public IReadOnlyList<int> Draw(int count, int seed)
    {
        var random = new Random(seed);
        var chosen = new List<int>();
        var used = new HashSet<int>();
        for (var attempt = 0; chosen.Count < count && attempt < count * 50; attempt++)
        {
            var index = Next(random);
            if (used.Add(index) || used.Count >= _count)
            {
                chosen.Add(index);
            }
        }
        while (chosen.Count < count)
        {
            // fewer distinct prompts than asked for: repeats, still drawn by tag
            chosen.Add(Next(random));
        }
        return chosen;
    }

    private int Next(Random random) => _balanced?.Next(random) ?? random.Next(_count);
}
