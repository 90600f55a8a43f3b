using FlowTune.IO;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorDTypesTests
{
    [Theory]
    [InlineData("F128")]
    [InlineData("f32")]
    [InlineData("")]
    public void Should_ThrowArgumentException_When_BitSizeOfUnknownDType(string dtype)
    {
        // Given
        string name = dtype;

        // When
        Exception? exception = Record.Exception(() => SafeTensorDTypes.BitSize(name));

        // Then
        var argument = Assert.IsType<ArgumentException>(exception);
        Assert.Contains($"Unknown safetensors dtype '{dtype}'", argument.Message);
        Assert.False(SafeTensorDTypes.IsKnown(name));
    }
}
