using FlowTune.Worlds;

namespace FlowTune.Tests.Worlds;

public class GenEvalScorerTests
{
    private static readonly GenEvalScorer _scorer = new(new GenEvalScoringOptions { ConfidenceThreshold = 0.3, CountingConfidenceThreshold = 0.9 });

    // An object of side 8 whose box starts at (x, y).
    private static DetectedObject Obj(string name, string color, double x, double y, double confidence = 1.0) =>
        new(name, color, new BoundingBox(x, y, x + 8, y + 8), x + 4, y + 4, confidence);

    [Fact]
    public void Should_ScoreSingleObject_When_ClassPresentOrAbsent()
    {
        // Given
        GenEvalEntry entry = GenEvalPrompts.SingleObject("circle");

        // When
        GenEvalScore present = _scorer.Score(entry, [Obj("circle", "red", 2, 2), Obj("square", "blue", 20, 2)]);
        GenEvalScore absent = _scorer.Score(entry, [Obj("square", "blue", 20, 2)]);

        // Then
        Assert.True(present.Correct);
        Assert.Equal(1.0, present.Reward);
        Assert.False(absent.Correct);
        Assert.Equal(0.0, absent.Reward);
        Assert.Equal(["expected circle>=1, found 0"], absent.Reasons);
    }

    [Fact]
    public void Should_GiveHalfCredit_When_OneOfTwoObjectsIsMissing()
    {
        // Given
        GenEvalEntry entry = GenEvalPrompts.TwoObject("circle", "square");

        // When
        GenEvalScore both = _scorer.Score(entry, [Obj("circle", "red", 2, 2), Obj("square", "blue", 20, 2)]);
        GenEvalScore one = _scorer.Score(entry, [Obj("circle", "red", 2, 2)]);

        // Then
        Assert.True(both.Correct);
        Assert.False(one.Correct);
        Assert.Equal(0.5, one.Reward);
        Assert.Equal(["include[0].count", "include[1].count"], one.Components.Select(c => c.Name));
    }

    [Theory]
    [InlineData(3, true, 1.0)]
    [InlineData(4, false, 2.0 / 3.0)]
    [InlineData(2, false, 2.0 / 3.0)]
    [InlineData(0, false, 0.0)]
    public void Should_ApplyIncludeAndExclude_When_Counting(int rings, bool correct, double reward)
    {
        // Given: "three rings" includes ring ≥ 3 and excludes ring ≥ 4.
        GenEvalEntry entry = GenEvalPrompts.Counting("ring", 3);
        var detections = Enumerable.Range(0, rings).Select(i => Obj("ring", "white", 9 * i, 2)).ToList();

        // When
        GenEvalScore score = _scorer.Score(entry, detections);

        // Then
        Assert.Equal(correct, score.Correct);
        Assert.Equal(reward, score.Reward, 12);
    }

    [Fact]
    public void Should_UseTheCountingThreshold_When_TagIsCounting()
    {
        // Given: the third ring's confidence 0.5 passes the normal threshold but not the counting one (0.9).
        GenEvalEntry entry = GenEvalPrompts.Counting("ring", 3);
        DetectedObject[] detections = [Obj("ring", "white", 0, 2), Obj("ring", "white", 10, 2), Obj("ring", "white", 20, 2, 0.5)];

        // When
        GenEvalScore score = _scorer.Score(entry, detections);

        // Then
        Assert.False(score.Correct);
        Assert.Equal(2.0 / 3.0, score.Reward, 12);
    }

    [Fact]
    public void Should_CheckColorOfTheMostConfidentObject_When_TagIsColors()
    {
        // Given: GenEval checks the colour of the top-`count` objects of the class only.
        GenEvalEntry entry = GenEvalPrompts.Colors("triangle", "blue");

        // When
        GenEvalScore right = _scorer.Score(entry, [Obj("triangle", "blue", 2, 2, 0.9), Obj("triangle", "red", 20, 2, 0.6)]);
        GenEvalScore wrongFirst = _scorer.Score(entry, [Obj("triangle", "red", 2, 2, 0.9), Obj("triangle", "blue", 20, 2, 0.6)]);
        GenEvalScore wrongColor = _scorer.Score(entry, [Obj("triangle", "red", 2, 2)]);

        // Then
        Assert.True(right.Correct);
        Assert.False(wrongFirst.Correct);
        Assert.False(wrongColor.Correct);
        Assert.Equal(0.5, wrongColor.Reward); // count 1, colour 0
        Assert.Equal(0.0, right.Reward); // partial credit: 2 triangles for 1 → count 0, colour 0 (count off)
    }

    [Fact]
    public void Should_TestRelativePosition_When_TagIsPosition()
    {
        // Given: "a cross left of a ring".
        GenEvalEntry entry = GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring");

        // When
        GenEvalScore left = _scorer.Score(entry, [Obj("cross", "red", 2, 10), Obj("ring", "blue", 20, 12)]);
        GenEvalScore right = _scorer.Score(entry, [Obj("cross", "red", 20, 10), Obj("ring", "blue", 2, 12)]);
        GenEvalScore noRing = _scorer.Score(entry, [Obj("cross", "red", 2, 10)]);

        // Then
        Assert.True(left.Correct);
        Assert.Equal(1.0, left.Reward);
        Assert.False(right.Correct);
        Assert.Equal(2.0 / 3.0, right.Reward, 12); // counts 1 + 1, position 0
        Assert.False(noRing.Correct);
        Assert.Contains("no target for cross to be left of", noRing.Reasons);
        Assert.Equal(1.0 / 3.0, noRing.Reward, 12); // ring 0, cross 1, position 0
    }

    [Fact]
    public void Should_NameTheFirstFailingClausesCause_When_AnImageFails()
    {
        // Given
        GenEvalEntry position = GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring");
        GenEvalEntry colorAttr = GenEvalPrompts.ColorAttr("circle", "red", "square", "green");
        GenEvalEntry counting = GenEvalPrompts.Counting("ring", 2);

        // When
        GenEvalScore correct = _scorer.Score(position, [Obj("cross", "red", 2, 10), Obj("ring", "blue", 20, 12)]);
        GenEvalScore swappedSides = _scorer.Score(position, [Obj("cross", "red", 20, 10), Obj("ring", "blue", 2, 12)]);
        GenEvalScore noRing = _scorer.Score(position, [Obj("cross", "red", 2, 10)]);
        GenEvalScore swappedColours = _scorer.Score(colorAttr, [Obj("circle", "green", 2, 2), Obj("square", "red", 20, 2)]);
        GenEvalScore squareMissing = _scorer.Score(colorAttr, [Obj("circle", "green", 2, 2)]);
        GenEvalScore threeRings = _scorer.Score(counting, [Obj("ring", "white", 0, 2), Obj("ring", "white", 10, 2), Obj("ring", "white", 20, 2)]);

        // Then
        Assert.Equal(GenEvalFailure.None, correct.Cause);
        Assert.Equal(GenEvalFailure.WrongPosition, swappedSides.Cause);
        Assert.Equal(GenEvalFailure.MissingObjects, noRing.Cause);
        Assert.Equal(GenEvalFailure.WrongColor, swappedColours.Cause);
        Assert.Equal(GenEvalFailure.WrongColor, squareMissing.Cause); // the circle's clause fails first, on its colour
        Assert.Equal(2, squareMissing.Reasons.Count);
        Assert.Equal(GenEvalFailure.ExtraObjects, threeRings.Cause);
    }

    [Fact]
    public void Should_RequireBothBindings_When_TagIsColorAttr()
    {
        // Given: "a red circle and a green square".
        GenEvalEntry entry = GenEvalPrompts.ColorAttr("circle", "red", "square", "green");

        // When
        GenEvalScore bound = _scorer.Score(entry, [Obj("circle", "red", 2, 2), Obj("square", "green", 20, 2)]);
        GenEvalScore swapped = _scorer.Score(entry, [Obj("circle", "green", 2, 2), Obj("square", "red", 20, 2)]);

        // Then
        Assert.True(bound.Correct);
        Assert.True(bound.ExactCorrect);
        Assert.False(swapped.Correct);
        Assert.Equal(0.5, swapped.Reward); // counts 1 + 1, colours 0 + 0
        Assert.Equal(["include[0].count", "include[0].color", "include[1].count", "include[1].color"], swapped.Components.Select(c => c.Name));
    }

    [Fact]
    public void Should_ClampCountCredit_When_FarTooManyObjects()
    {
        // Given: 3 circles for "a circle" would give 1 − 2/1 = −1 unclamped.
        GenEvalEntry entry = GenEvalPrompts.SingleObject("circle");

        // When
        GenEvalScore score = _scorer.Score(entry, [Obj("circle", "red", 0, 0), Obj("circle", "red", 10, 0), Obj("circle", "red", 20, 0)]);

        // Then: GenEval has no exclude for single_object, so it is still correct; the exact-count flag is not.
        Assert.True(score.Correct);
        Assert.False(score.ExactCorrect);
        Assert.Equal(0.0, score.Reward);
    }

    [Fact]
    public void Should_IgnoreLowConfidence_When_BelowThreshold()
    {
        // Given
        GenEvalEntry entry = GenEvalPrompts.SingleObject("circle");

        // When
        GenEvalScore score = _scorer.Score(entry, [Obj("circle", "red", 2, 2, confidence: 0.3)]);

        // Then
        Assert.False(score.Correct);
    }

    [Fact]
    public void Should_AverageTagAccuracies_When_Summarising()
    {
        // Given
        var accuracy = new GenEvalAccuracy();
        accuracy.Add(GenEvalTag.SingleObject, true);
        accuracy.Add(GenEvalTag.Counting, true);
        accuracy.Add(GenEvalTag.Counting, false);
        accuracy.Add(GenEvalTag.Counting, false);
        accuracy.Add(GenEvalTag.Counting, false);

        // When
        double overall = accuracy.Overall;

        // Then: mean of 1.0 and 0.25, not the pooled 2/5.
        Assert.Equal(0.625, overall, 12);
        Assert.True(double.IsNaN(accuracy.Accuracy(GenEvalTag.Position)));
    }
}
