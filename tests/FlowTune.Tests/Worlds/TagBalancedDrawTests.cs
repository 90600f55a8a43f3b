using FlowTune.Common;
using FlowTune.Rl.Prompts;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds;

/// <summary>Tag-first prompt draws: equal shares by default, weighted shares on request, same seed → same draws.</summary>
public sealed class TagBalancedDrawTests
{
    private static readonly IReadOnlyList<GenEvalEntry> Train = new ShapesWorld().DefaultPrompts().Train;

    private static Dictionary<GenEvalTag, double> Shares(TagBalancedDraw draw, int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Train[draw.Next(random)].Tag).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count() / (double)n);
    }

    [Fact]
    public void Should_DrawEveryTagEquallyOften_When_NoWeightsAreGiven()
    {
        var shares = Shares(GenEvalTagDraw.Create(Train), 60_000, 1);

        Assert.Equal(GenEvalTags.All.Count, shares.Count);
        Assert.All(shares.Values, s => Assert.InRange(s, 1 / 6.0 - 0.01, 1 / 6.0 + 0.01));
    }

    [Fact]
    public void Should_FollowTheWeights_When_TagsAreWeighted()
    {
        // Given: position 3, color_attr 2, single_object left out, the other three 1 each → shares 3/8, 2/8, 0, 1/8 ×3
        var weights = new Dictionary<GenEvalTag, double> { [GenEvalTag.Position] = 3, [GenEvalTag.ColorAttr] = 2, [GenEvalTag.SingleObject] = 0 };

        // When
        var shares = Shares(GenEvalTagDraw.Create(Train, weights), 80_000, 2);

        // Then
        Assert.False(shares.ContainsKey(GenEvalTag.SingleObject));
        Assert.InRange(shares[GenEvalTag.Position], 3 / 8.0 - 0.01, 3 / 8.0 + 0.01);
        Assert.InRange(shares[GenEvalTag.ColorAttr], 2 / 8.0 - 0.01, 2 / 8.0 + 0.01);
        Assert.InRange(shares[GenEvalTag.Counting], 1 / 8.0 - 0.01, 1 / 8.0 + 0.01);
    }

    [Fact]
    public void Should_DrawAsWithoutWeights_When_AllWeightsAreEqual()
    {
        var plain = GenEvalTagDraw.Create(Train);
        var equal = GenEvalTagDraw.Create(Train, GenEvalTags.All.ToDictionary(t => t, _ => 2.0));
        var a = new Random(3);
        var b = new Random(3);

        Assert.Equal(Enumerable.Range(0, 500).Select(_ => plain.Next(a)), Enumerable.Range(0, 500).Select(_ => equal.Next(b)));
    }

    [Fact]
    public void Should_RepeatPromptsOfTheWeightedTagsOnly_When_AskedForMoreThanThereAre()
    {
        // Given: only single_object (a handful of prompts) is drawn
        var onlySingle = GenEvalTags.All.ToDictionary(t => GenEvalTags.Name(t), t => t == GenEvalTag.SingleObject ? 1.0 : 0.0);
        var prompts = new PromptDraw(new GenEvalPromptSource(Train), new PromptOptions { TagWeights = onlySingle });

        // When
        var drawn = prompts.Draw(40, seed: 4);

        // Then
        Assert.Equal(40, drawn.Count);
        Assert.All(drawn, i => Assert.Equal(GenEvalTag.SingleObject, Train[i].Tag));
        Assert.Equal(drawn, prompts.Draw(40, seed: 4));
        Assert.Throws<ArgumentException>(() => GenEvalTagDraw.Create(Train, GenEvalTags.All.ToDictionary(t => t, _ => 0.0)));
    }
}
