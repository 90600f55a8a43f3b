using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class ShapesPromptSplitTests
{
    [Fact]
    public void Should_SplitEveryTagDisjointly_When_Generating()
    {
        // Given / When
        (IReadOnlyList<GenEvalEntry> train, IReadOnlyList<GenEvalEntry> test) = ShapesTestData.Split;

        // Then
        Assert.Empty(train.Select(e => e.Prompt).Intersect(test.Select(e => e.Prompt)));
        int[] testPerTag = GenEvalTags.All.Select(t => test.Count(e => e.Tag == t)).ToArray();
        int[] trainPerTag = GenEvalTags.All.Select(t => train.Count(e => e.Tag == t)).ToArray();
        Assert.Equal([2, 10, 7, 20, 40, 50], testPerTag);
        Assert.Equal([3, 10, 8, 20, 40, 1070], trainPerTag);
        Assert.Equal(train.Count, train.Select(e => e.Prompt).Distinct().Count());
    }

    [Fact]
    public void Should_KeepParaphrasesTogether_When_Splitting()
    {
        // Given
        (IReadOnlyList<GenEvalEntry> train, IReadOnlyList<GenEvalEntry> test) = ShapesTestData.Split;
        var testPrompts = test.Select(e => e.Prompt).ToHashSet();

        // When: "a circle and a square" and "a square and a circle" must fall on the same side.
        var leaks = train.Where(e => e.Tag == GenEvalTag.TwoObject)
            .Where(e => testPrompts.Contains(GenEvalPrompts.TwoObject(e.Include[1].ClassName, e.Include[0].ClassName).Prompt))
            .ToList();
        var positionLeaks = train.Where(e => e.Tag == GenEvalTag.Position)
            .Where(e => testPrompts.Contains(GenEvalPrompts.Position(e.Include[0].ClassName, PositionRelations.Inverse(e.Include[1].Position!.Relation), e.Include[1].ClassName).Prompt))
            .ToList();

        // Then
        Assert.Empty(leaks);
        Assert.Empty(positionLeaks);
    }

    [Fact]
    public void Should_RepeatTheSplit_When_SeedRepeats()
    {
        // Given / When
        var first = new ShapesPromptSplit { Seed = 9, TrainPerTag = 30 }.Generate();
        var second = new ShapesPromptSplit { Seed = 9, TrainPerTag = 30 }.Generate();
        var other = new ShapesPromptSplit { Seed = 10, TrainPerTag = 30 }.Generate();

        // Then
        Assert.Equal(first.Test.Select(e => e.Prompt), second.Test.Select(e => e.Prompt));
        Assert.Equal(first.Train.Select(e => e.Prompt), second.Train.Select(e => e.Prompt));
        Assert.NotEqual(first.Test.Select(e => e.Prompt), other.Test.Select(e => e.Prompt));
        Assert.Equal(30, first.Train.Count(e => e.Tag == GenEvalTag.ColorAttr));
    }
}
