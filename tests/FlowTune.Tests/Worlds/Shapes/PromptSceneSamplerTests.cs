using FlowTune.Imaging;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class PromptSceneSamplerTests
{
    private static DetectedObject AsDetection(SceneObject o) =>
        new(ShapeVocabulary.Name(o.Shape), ShapeVocabulary.Name(o.Color), new BoundingBox(o.Left, o.Top, o.Right, o.Bottom), o.CenterX, o.CenterY, 1.0);

    [Fact]
    public void Should_SatisfyEveryPrompt_When_ScoredOnTheSceneItself()
    {
        // Given: the scene's own objects as perfect detections.
        var sampler = new PromptSceneSampler();
        var scorer = new GenEvalScorer(ShapesGenEval.DefaultScoringOptions);
        var all = ShapesTestData.Split.Train.Concat(ShapesTestData.Split.Test).Where((_, i) => i % 3 == 0).ToList();

        // When
        var failures = all.Select((entry, i) => (entry, scene: sampler.Sample(entry, new Random(i))))
            .Where(x => !scorer.Score(x.entry, x.scene.Objects.Select(AsDetection).ToList()).ExactCorrect)
            .Select(x => $"{x.entry.Prompt}: {x.scene.Describe()}")
            .ToList();

        // Then
        Assert.Empty(failures);
    }

    [Fact]
    public void Should_AddOnlyUnmentionedDistractors_When_ExtraObjectsAreOn()
    {
        // Given
        var sampler = new PromptSceneSampler { ExtraObjectProbability = 1.0 };
        GenEvalEntry entry = GenEvalPrompts.Counting("ring", 2);

        // When
        var scenes = Enumerable.Range(0, 50).Select(i => sampler.Sample(entry, new Random(i))).ToList();

        // Then
        Assert.All(scenes, s => Assert.Equal(3, s.Objects.Count));
        Assert.All(scenes, s => Assert.Equal(2, s.Objects.Count(o => o.Shape == ShapeKind.Ring)));
    }

    [Fact]
    public void Should_Throw_When_ClassIsNotInTheWorld()
    {
        // Given
        var sampler = new PromptSceneSampler();

        // When / Then
        Assert.Throws<ArgumentException>(() => sampler.Sample(GenEvalPrompts.SingleObject("bench"), new Random(1)));
        Assert.Throws<ArgumentException>(() => sampler.Sample(GenEvalPrompts.Colors("ring", "brown"), new Random(1)));
        Assert.Throws<InvalidOperationException>(() => sampler.Sample(GenEvalPrompts.Counting("ring", 5), new Random(1)));
    }

    [Fact]
    public void Should_RepeatScenes_When_SeedRepeats()
    {
        // Given
        var sampler = new PromptSceneSampler();
        GenEvalEntry entry = GenEvalPrompts.Position("cross", PositionRelation.Below, "ring");

        // When
        (Scene first, RgbImage firstImage) = sampler.SampleAndRender(entry, 8);
        (Scene second, RgbImage secondImage) = sampler.SampleAndRender(entry, 8);

        // Then
        Assert.Equal(first.Describe(), second.Describe());
        Assert.Equal(firstImage.Data, secondImage.Data);
    }
}
