using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds;

public sealed class ImageTensorsTests
{
    [Fact]
    public void Should_RoundTripPixels_When_ConvertingImagesToTensorAndBack()
    {
        // Given
        using var scope = TensorScope.Enter();
        var world = new ShapesWorld();
        var (_, test) = world.DefaultPrompts();
        var images = test.Take(3).Select((e, i) => world.RenderGroundTruth(e, 32, i)).ToList();

        // When
        var tensor = ImageTensors.FromImages(images);
        var back = ImageTensors.ToImages(tensor);

        // Then
        Assert.Equal([3L, 3L, 32L, 32L], tensor.Shape);
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(images[i].Data, back[i].Data);
        }
    }

    [Fact]
    public void Should_Throw_When_TensorIsNotAnImageBatch()
    {
        // Given
        using var scope = TensorScope.Enter();
        var wrong = Tensor.Zeros([2, 4, 8, 8]);

        // When / Then
        Assert.Throws<ArgumentException>(() => ImageTensors.ToImages(wrong));
    }
}
