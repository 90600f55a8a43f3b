using FlowTune.Imaging;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class ShapesRendererTests
{
    private static readonly Scene _scene = new(32, 32,
    [
        new SceneObject(ShapeKind.Square, ShapeColor.Red, 8, 8, 10),
        new SceneObject(ShapeKind.Ring, ShapeColor.Blue, 22, 22, 10),
    ]);

    [Fact]
    public void Should_ProduceIdenticalBytes_When_SceneAndSeedRepeat()
    {
        // Given / When
        RgbImage first = ShapesRenderer.Render(_scene, 42);
        RgbImage second = ShapesRenderer.Render(_scene, 42);
        RgbImage otherSeed = ShapesRenderer.Render(_scene, 43);

        // Then
        Assert.Equal(first.Data, second.Data);
        Assert.NotEqual(first.Data, otherSeed.Data);
    }

    [Fact]
    public void Should_DrawPaletteColorsOnDarkBackground_When_Rendering()
    {
        // Given
        RgbImage image = ShapesRenderer.Render(_scene, 1);

        // When
        (float r, float g, float b) squareCentre = (image[0, 8, 8], image[1, 8, 8], image[2, 8, 8]);
        float ringHole = image[2, 22, 22];
        float ringBand = image[2, 22, 26];
        float corner = image[0, 31, 0];

        // Then
        Assert.InRange(squareCentre.r, 0.87f, 0.97f);
        Assert.InRange(squareCentre.g, 0.07f, 0.17f);
        Assert.InRange(ringBand, 0.9f, 1f);
        Assert.InRange(ringHole, 0f, 0.2f);
        Assert.InRange(corner, 0f, 0.15f);
    }

    [Fact]
    public void Should_AntiAliasEdges_When_EdgeCutsAPixel()
    {
        // Given: a square whose left edge is at x = 3.5, half-way through pixel 3.
        var scene = new Scene(16, 16, [new SceneObject(ShapeKind.Square, ShapeColor.White, 8, 8, 9)]);

        // When
        RgbImage image = ShapesRenderer.Render(scene, 0);

        // Then
        Assert.InRange(image[0, 8, 3], 0.4f, 0.6f);
    }

    [Fact]
    public void Should_ScaleWithTheCanvas_When_Rendering64()
    {
        // Given
        var sampler = new SceneSampler(ShapesWorldOptions.ForCanvas(64));

        // When
        (Scene scene, RgbImage image) = sampler.SampleAndRender(3);

        // Then
        Assert.Equal(64, image.Height);
        Assert.All(scene.Objects, o => Assert.InRange(o.Size, 14, 22));
    }
}
