using FlowTune.Common;

namespace FlowTune.Worlds;

/// <summary>A <see cref="TagBalancedDraw"/> over GenEval prompts, tags in <see cref="GenEvalTags.All"/> order.</summary>
public static class GenEvalTagDraw
{
    /// <summary>The GenEval tag names in draw order.</summary>
    public static IReadOnlyList<string> TagOrder { get; } = [.. GenEvalTags.All.Select(GenEvalTags.Name)];

    /// <summary>Draws <paramref name="prompts"/> tag first; <paramref name="weights"/> as in <see cref="TagBalancedDraw"/>.</summary>
    public static TagBalancedDraw Create(IReadOnlyList<GenEvalEntry> prompts, IReadOnlyDictionary<GenEvalTag, double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return new TagBalancedDraw([.. prompts.Select(p => (string?)GenEvalTags.Name(p.Tag))], TagOrder,
            weights?.ToDictionary(w => GenEvalTags.Name(w.Key), w => w.Value));
    }
}
