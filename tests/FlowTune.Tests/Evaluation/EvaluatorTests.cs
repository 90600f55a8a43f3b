using FlowTune.Evaluation;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Fact]
    public void Should_GiveSmallTagsMoreSamples_When_PlanningImagesPerTag()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var options = new EvalOptions { SamplesPerPrompt = 2, MinImagesPerTag = 10 };

        // When
        var jobs = Evaluator.Plan(test, options);

        // Then
        foreach (var tag in GenEvalTags.All)
        {
            var prompts = test.Count(e => e.Tag == tag);
            var images = jobs.Count(j => test[j.Entry].Tag == tag);
            Assert.Equal(prompts * Math.Max(2, (int)Math.Ceiling(10.0 / prompts)), images);
            Assert.True(images >= 10);
        }
    }

    [Fact]
    public void Should_MeasureZeroDiversity_When_SamplesAreIdentical()
    {
        // Given
        var a = RgbImage.Filled(4, 4, 0.2f, 0.4f, 0.6f);
        var b = RgbImage.Filled(4, 4, 0.7f, 0.4f, 0.6f);

        // When
        var same = Evaluator.Diversity([[a, a.Clone()]]);
        var different = Evaluator.Diversity([[a, b]]);

        // Then
        Assert.Equal(0.0, same, 9);
        Assert.Equal(Math.Sqrt(0.25 / 3), different, 6); // one channel of three differs by 0.5
    }
}
