using FlowTune.Training;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds;

public sealed class GenEvalCaptionLabelsTests
{
    private static readonly string[] Colors = ["red", "blue", "green"];

    private static readonly string[] Classes = ["ring", "cross"];

    private static readonly GenEvalCaptionLabels Labeller = new(Classes, Colors, 4);

    // "word:class,colour,count,role" per labelled word, in word order
    private static string[] Flat(IReadOnlyList<WordLabels> labels) =>
        labels.OrderBy(l => l.WordIndex).Select(l => $"{l.WordIndex}:{string.Join(',', l.Classes)}").ToArray();

    [Fact]
    public void Should_BindEachColourToItsNoun_When_CaptionHasTwoColouredObjects()
    {
        // Given: words 0 a, 1 photo, 2 of, 3 a, 4 red, 5 cross, 6 and, 7 a, 8 blue, 9 ring
        var entry = GenEvalPrompts.ColorAttr("cross", "red", "ring", "blue");

        // When
        var labels = Flat(Labeller.For(entry));

        // Then: (class, colour 1 + index, count, role none)
        Assert.Equal(["5:1,1,1,0", "9:0,2,1,0"], labels);
    }

    [Fact]
    public void Should_GiveBothNounsOppositeRoles_When_CaptionStatesAPosition()
    {
        // Given: "a photo of a cross left of a ring" (cross = word 4, ring = word 8)
        var entry = GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring");

        // When
        var labels = Flat(Labeller.For(entry));

        // Then
        Assert.Equal([$"4:1,0,1,{1 + (int)PositionRelation.LeftOf}", $"8:0,0,1,{1 + (int)PositionRelation.RightOf}"], labels);
    }

    [Fact]
    public void Should_LabelThePluralNounWithItsCount_When_CaptionCounts()
    {
        // When: "a photo of three crosses"
        var labels = Flat(Labeller.For(GenEvalPrompts.Counting("cross", 3)));

        // Then
        Assert.Equal(["4:1,0,3,0"], labels);
    }

    [Fact]
    public void Should_LabelEveryClauseOnItsOwnWord_When_GivenEveryShapesWorldPrompt()
    {
        // Given
        var labeller = new GenEvalCaptionLabels(ShapeVocabulary.Shapes.Select(ShapeVocabulary.Name).ToList(), ShapeVocabulary.Colors.Select(ShapeVocabulary.Name).ToList(), 4);

        foreach (var tag in GenEvalTags.All)
        {
            foreach (var (entry, _) in ShapesPromptCatalog.Enumerate(tag))
            {
                // When
                var labels = labeller.For(entry);

                // Then: one label per include clause, on distinct words, every class inside its head
                Assert.Equal(entry.Include.Count, labels.Select(l => l.WordIndex).Distinct().Count());
                Assert.All(labels, l => Assert.All(l.Classes.Zip(labeller.Space.Heads), c => Assert.InRange(c.First, 0, c.Second.Classes - 1)));
            }
        }
    }

    [Fact]
    public void Should_NameThePrompt_When_ItsColourOrNounIsUnknown()
    {
        // Given
        var purple = GenEvalPrompts.Colors("cross", "purple");
        var missingNoun = GenEvalPrompts.SingleObject("cross") with { Prompt = "a photo of something" };
        var unknownClass = GenEvalPrompts.SingleObject("square");

        // When
        var colour = Assert.Throws<ArgumentException>(() => Labeller.For(purple));
        var noun = Assert.Throws<ArgumentException>(() => Labeller.For(missingNoun));
        var shape = Assert.Throws<ArgumentException>(() => Labeller.For(unknownClass));

        // Then
        Assert.Contains("\"a photo of a purple cross\" uses the colour \"purple\"", colour.Message, StringComparison.Ordinal);
        Assert.Contains("\"a photo of something\" does not name its class \"cross\"", noun.Message, StringComparison.Ordinal);
        Assert.Contains("\"a photo of a square\" uses the class \"square\", which is not one of ring, cross", shape.Message, StringComparison.Ordinal);
    }
}
