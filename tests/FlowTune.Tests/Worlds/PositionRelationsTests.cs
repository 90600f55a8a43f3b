using FlowTune.Worlds;

namespace FlowTune.Tests.Worlds;

public class PositionRelationsTests
{
    [Fact]
    public void Should_HoldNoRelation_When_BoxesNearlyConcentric()
    {
        // Given: offset 1 px, dead zone 0.1 × (8 + 8) = 1.6 px.
        var a = new BoundingBox(0, 0, 8, 8);
        var b = new BoundingBox(1, 0, 9, 8);

        // When
        bool any = PositionRelations.All.Any(r => PositionRelations.Holds(a, b, r));

        // Then
        Assert.False(any);
    }

    [Fact]
    public void Should_HoldTwoRelations_When_OffsetIsDiagonal()
    {
        // Given: A up-left of B by 10 px on both axes.
        var a = new BoundingBox(0, 0, 8, 8);
        var b = new BoundingBox(10, 10, 18, 18);

        // When
        PositionRelation[] holding = PositionRelations.All.Where(r => PositionRelations.Holds(a, b, r)).ToArray();

        // Then
        Assert.Equal([PositionRelation.LeftOf, PositionRelation.Above], holding);
    }

    [Fact]
    public void Should_RoundTripNames_When_Parsing()
    {
        // Given / When / Then
        foreach (PositionRelation relation in PositionRelations.All)
        {
            Assert.True(PositionRelations.TryParse(PositionRelations.Name(relation), out PositionRelation parsed));
            Assert.Equal(relation, parsed);
            Assert.Equal(relation, PositionRelations.Inverse(PositionRelations.Inverse(relation)));
        }
    }
}
