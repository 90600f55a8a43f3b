using FlowTune.Worlds;

namespace FlowTune.Tests.Worlds;

public class GenEvalPromptsTests
{
    [Fact]
    public void Should_UseGenEvalTemplates_When_BuildingEachTag()
    {
        // Given / When
        string[] prompts =
        [
            GenEvalPrompts.SingleObject("circle").Prompt,
            GenEvalPrompts.TwoObject("circle", "square").Prompt,
            GenEvalPrompts.Counting("cross", 3).Prompt,
            GenEvalPrompts.Colors("ring", "orange").Prompt,
            GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring").Prompt,
            GenEvalPrompts.ColorAttr("circle", "red", "square", "orange").Prompt,
        ];

        // Then
        Assert.Equal(
            [
                "a photo of a circle",
                "a photo of a circle and a square",
                "a photo of three crosses",
                "a photo of an orange ring",
                "a photo of a cross left of a ring",
                "a photo of a red circle and an orange square",
            ],
            prompts);
    }

    [Fact]
    public void Should_ListReferenceFirst_When_BuildingAPositionEntry()
    {
        // Given / When
        GenEvalEntry entry = GenEvalPrompts.Position("cross", PositionRelation.Above, "ring");

        // Then
        Assert.Equal("ring", entry.Include[0].ClassName);
        Assert.Equal("cross", entry.Include[1].ClassName);
        Assert.Equal(new PositionClause(PositionRelation.Above, 0), entry.Include[1].Position);
    }

    [Fact]
    public void Should_ExcludeOneMore_When_BuildingACountingEntry()
    {
        // Given / When
        GenEvalEntry entry = GenEvalPrompts.Counting("ring", 2);

        // Then
        Assert.Equal([new ExcludeClause("ring", 3)], entry.Exclude);
        Assert.Empty(GenEvalPrompts.SingleObject("ring").Exclude);
    }
}
