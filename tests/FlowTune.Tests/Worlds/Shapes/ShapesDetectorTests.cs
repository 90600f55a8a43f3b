using FlowTune.Imaging;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class ShapesDetectorTests
{
    private static double RecoveryRate(int canvas, DegradationSpec degradation, int scenes, int seed)
    {
        var sampler = new SceneSampler(ShapesWorldOptions.ForCanvas(canvas));
        int exact = 0;
        for (int i = 0; i < scenes; i++)
        {
            (Scene scene, RgbImage image) = sampler.SampleAndRender(seed + i);
            exact += SceneRecovery.Matches(scene, ShapesTestData.Confident(degradation.Apply(image, seed ^ i))) ? 1 : 0;
        }

        return exact / (double)scenes;
    }

    [Fact]
    public void Should_RecoverExactScenes_When_RendersAreClean()
    {
        // Given / When
        double rate = RecoveryRate(32, DegradationSpec.None, 400, 10_000);

        // Then
        Assert.True(rate >= 0.995, $"exact recovery {rate:P2}");
    }

    [Fact]
    public void Should_RecoverExactScenes_When_BlurredNoisyAndJittered()
    {
        // Given: blur σ 0.8 px + noise σ 0.05 + colour jitter, where a fill-ratio detector fell to 65%.
        // When
        double rate = RecoveryRate(32, DegradationSpec.Standard, 400, 20_000);

        // Then
        Assert.True(rate >= 0.985, $"exact recovery {rate:P2}");
    }

    [Fact]
    public void Should_RecoverExactScenes_When_Canvas64IsDegraded()
    {
        // Given / When
        double rate = RecoveryRate(64, DegradationSpec.Standard with { BlurSigma = 1.6 }, 100, 30_000);

        // Then
        Assert.True(rate >= 0.98, $"exact recovery {rate:P2}");
    }

    [Fact]
    public void Should_NameEveryShapeAndColor_When_EachIsRenderedAlone()
    {
        // Given
        var failures = new List<string>();
        foreach (ShapeKind shape in ShapeVocabulary.Shapes)
        {
            foreach (ShapeColor color in ShapeVocabulary.Colors)
            {
                var scene = new Scene(32, 32, [new SceneObject(shape, color, 15.3, 16.6, 8)]);
                RgbImage image = DegradationSpec.Standard.Apply(ShapesRenderer.Render(scene, 1), 2);

                // When
                List<DetectedObject> found = ShapesTestData.Confident(image);

                // Then
                if (found.Count != 1 || found[0].ClassName != ShapeVocabulary.Name(shape) || found[0].Color != ShapeVocabulary.Name(color))
                {
                    failures.Add($"{color} {shape}: {string.Join(", ", found.Select(f => $"{f.Color} {f.ClassName}"))}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Should_FindNothing_When_ImageIsBlankOrPureNoise()
    {
        // Given
        var random = new Random(5);
        var noise = new RgbImage(32, 32);
        for (int i = 0; i < noise.Data.Length; i++)
        {
            noise.Data[i] = (float)random.NextDouble();
        }

        // When
        List<DetectedObject> onBlank = ShapesTestData.Confident(ShapesRenderer.Render(new Scene(32, 32, []), 3));
        List<DetectedObject> onNoise = ShapesTestData.Confident(noise);

        // Then
        Assert.Empty(onBlank);
        Assert.Empty(onNoise);
    }

    [Fact]
    public void Should_ReportBoxesAroundObjects_When_Detecting()
    {
        // Given
        var scene = new Scene(32, 32, [new SceneObject(ShapeKind.Square, ShapeColor.Green, 10, 20, 9)]);

        // When
        DetectedObject found = Assert.Single(ShapesTestData.Confident(ShapesRenderer.Render(scene, 4)));

        // Then
        Assert.InRange(found.Box.CenterX, 9.5, 10.5);
        Assert.InRange(found.Box.CenterY, 19.5, 20.5);
        Assert.InRange(found.Box.Width, 8, 10);
        Assert.InRange(found.CentroidX, 9.7, 10.3);
        Assert.InRange(found.Confidence, 0.9, 1.0);
    }
}
