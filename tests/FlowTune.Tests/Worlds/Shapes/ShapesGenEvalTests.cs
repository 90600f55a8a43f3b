using FlowTune.Imaging;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class ShapesGenEvalTests
{
    private static GenEvalAccuracy Evaluate(Func<GenEvalEntry, int, RgbImage> render, int perPrompt)
    {
        var accuracy = new GenEvalAccuracy();
        IReadOnlyList<GenEvalEntry> test = ShapesTestData.Split.Test;
        for (int p = 0; p < test.Count; p++)
        {
            for (int k = 0; k < perPrompt; k++)
            {
                accuracy.Add(test[p].Tag, ShapesTestData.Judge.Score(render(test[p], (p * 100) + k), test[p]).Correct);
            }
        }

        return accuracy;
    }

    private static RgbImage GroundTruth(GenEvalEntry entry, int seed) => new PromptSceneSampler().SampleAndRender(entry, seed).Image;

    [Fact]
    public void Should_ScoreGroundTruthNearPerfect_When_RendersAreClean()
    {
        // Given / When
        GenEvalAccuracy accuracy = Evaluate(GroundTruth, perPrompt: 2);

        // Then
        Assert.True(accuracy.Overall >= 0.995, accuracy.Format());
    }

    [Fact]
    public void Should_ScoreGroundTruthHigh_When_RendersAreDegraded()
    {
        // Given / When
        GenEvalAccuracy accuracy = Evaluate((e, seed) => DegradationSpec.Standard.Apply(GroundTruth(e, seed), seed), perPrompt: 2);

        // Then
        Assert.True(accuracy.Overall >= 0.97, accuracy.Format());
    }

    [Fact]
    public void Should_ScoreNearZero_When_ImageShowsAnotherPromptOfTheSameTag()
    {
        // Given: each prompt is judged against a render of the prompt half-way round its tag's list.
        IReadOnlyList<GenEvalEntry> test = ShapesTestData.Split.Test;
        RgbImage WrongRender(GenEvalEntry entry, int seed)
        {
            var sameTag = test.Where(e => e.Tag == entry.Tag).ToList();
            GenEvalEntry other = sameTag[(sameTag.IndexOf(entry) + Math.Max(1, sameTag.Count / 2)) % sameTag.Count];
            return GroundTruth(other, seed);
        }

        // When
        GenEvalAccuracy accuracy = Evaluate(WrongRender, perPrompt: 2);

        // Then
        Assert.True(accuracy.Overall <= 0.1, accuracy.Format());
    }

    [Fact]
    public void Should_ScoreZero_When_ImageIsPureNoise()
    {
        // Given
        RgbImage Noise(GenEvalEntry entry, int seed)
        {
            var random = new Random(seed);
            var image = new RgbImage(32, 32);
            for (int i = 0; i < image.Data.Length; i++)
            {
                image.Data[i] = (float)random.NextDouble();
            }

            return image;
        }

        // When
        GenEvalAccuracy accuracy = Evaluate(Noise, perPrompt: 1);

        // Then
        Assert.Equal(0.0, accuracy.Overall);
    }

    [Fact]
    public void Should_ReturnNamedRewardComponents_When_ScoringAnImage()
    {
        // Given
        GenEvalEntry entry = GenEvalPrompts.ColorAttr("circle", "red", "square", "green");
        var scene = new Scene(32, 32,
        [
            new SceneObject(ShapeKind.Circle, ShapeColor.Red, 8, 8, 9),
            new SceneObject(ShapeKind.Square, ShapeColor.Blue, 22, 22, 9),
        ]);

        // When
        GenEvalScore score = ShapesTestData.Judge.Score(ShapesRenderer.Render(scene, 1), entry);

        // Then: circle count 1, red 1, square count 1, green 0.
        Assert.False(score.Correct);
        Assert.Equal(0.75, score.Reward, 12);
        Assert.Equal([1.0, 1.0, 1.0, 0.0], score.Components.Select(c => c.Value));
    }
}
