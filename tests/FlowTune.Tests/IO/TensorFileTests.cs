using FlowTune.IO;
using FlowTune.Torch;

namespace FlowTune.Tests.IO;

public sealed class TensorFileTests
{
    public static TheoryData<DType> SupportedDTypes =>
        [DType.Float32, DType.Float16, DType.BFloat16, DType.Int64, DType.Bool, DType.Float64, DType.Int32, DType.UInt8];

    [Theory]
    [MemberData(nameof(SupportedDTypes))]
    public void Should_ReadBackBitIdentically_When_WrittenByFlowTune(DType dtype)
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(7);
        var source = (Tensor.Randn([3, 5], generator) * 50).To(dtype);
        var scalar = Tensor.Scalar(3, dtype);
        var empty = Tensor.Zeros([0, 4], dtype);
        var path = Path.Combine(Path.GetTempPath(), $"tf-{dtype}-{Guid.NewGuid():N}.safetensors");

        // When
        TensorFile.Save(path, [new("x", source), new("s", scalar), new("e", empty)], new Dictionary<string, string> { ["k"] = "v" });
        var (loaded, metadata) = TensorFile.Load(path);
        File.Delete(path);

        // Then
        Assert.Equal("v", metadata["k"]);
        foreach (var (name, original) in new[] { ("x", source), ("s", scalar), ("e", empty) })
        {
            using var back = loaded[name];
            Assert.Equal(dtype, back.DType);
            Assert.Equal(original.Shape, back.Shape);
            Assert.Equal(original.ToBytes(), back.ToBytes());
        }
    }

    [Fact]
    public void Should_RejectUnsupportedDType_When_Loading()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), $"u16-{Guid.NewGuid():N}.safetensors");
        SafeTensorsWriter.Write(path, [new SafeTensorData("a", "U16", [2], new byte[4])]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => TensorFile.Load(path));

        // Then
        File.Delete(path);
        Assert.Contains("U16", error.Message, StringComparison.Ordinal);
    }
}
