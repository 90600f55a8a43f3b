using System.Text;
using FlowTune.IO;
using static FlowTune.Tests.IO.SafeTensorsTestFiles;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsRoundTripTests
{
    private static SafeTensorData Tensor(string name, string dtype, long[] shape, int seed)
    {
        long elements = shape.Aggregate(1L, (product, dimension) => product * dimension);
        int byteLength = (int)(elements * SafeTensorDTypes.BitSize(dtype) / 8);
        return new SafeTensorData(name, dtype, shape, Pattern(byteLength, seed));
    }

    private static SafeTensorData[] ProjectTensors() =>
    [
        Tensor("weights.f32", "F32", [3, 4], 1),
        Tensor("weights.f16", "F16", [2, 3, 5], 2),
        Tensor("weights.bf16", "BF16", [7], 3),
        Tensor("step.i64", "I64", [], 4),
        Tensor("mask.bool", "BOOL", [2, 2], 5),
        Tensor("stats.f64", "F64", [3], 6),
        Tensor("image.u8", "U8", [1, 4, 4, 3], 7),
        Tensor("ids.i32", "I32", [5], 8),
        Tensor("scalar.f32", "F32", [], 9),
        Tensor("empty.f16", "F16", [0, 16], 10),
        Tensor("empty.u8", "U8", [0], 11),
    ];

    [Fact]
    public void Should_ReturnIdenticalBytes_When_RoundTrippingEveryProjectDType()
    {
        // Given
        SafeTensorData[] tensors = ProjectTensors();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["flowtune"] = "1" };

        // When
        byte[] file = SafeTensorsWriter.ToBytes(tensors, metadata);
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Equal(tensors.Length, reader.Tensors.Count);
        Assert.Equal(metadata, reader.Metadata.ToDictionary());
        foreach (SafeTensorData tensor in tensors)
        {
            SafeTensorInfo info = reader.Get(tensor.Name);
            Assert.Equal(tensor.DType, info.DType);
            Assert.Equal(tensor.Shape, info.Shape);
            Assert.Equal(tensor.Data.ToArray(), reader.ReadBytes(tensor.Name));
        }

        Assert.Empty(reader.Get("scalar.f32").Shape);
        Assert.Equal(4, reader.Get("scalar.f32").ByteLength);
        Assert.Equal(0, reader.Get("empty.f16").ByteLength);
    }

    [Fact]
    public void Should_RewriteIdenticalFile_When_WritingWhatWasRead()
    {
        // Given
        byte[] original = SafeTensorsWriter.ToBytes(ProjectTensors(), new Dictionary<string, string> { ["format"] = "pt" });
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(original);

        // When
        byte[] rewritten = SafeTensorsWriter.ToBytes(
            reader.Tensors.Select(t => new SafeTensorData(t.Name, t.DType, t.Shape, reader.ReadBytes(t.Name))),
            reader.Metadata);

        // Then
        Assert.Equal(original, rewritten);
    }

    [Fact]
    public void Should_OrderByDescendingAlignmentThenName_When_Writing()
    {
        // Given
        SafeTensorData[] tensors =
        [
            Tensor("u8", "U8", [3], 1),
            Tensor("f16", "F16", [3], 2),
            Tensor("f32", "F32", [3], 3),
            Tensor("i64", "I64", [3], 4),
            Tensor("bool", "BOOL", [3], 5),
            Tensor("b_f32", "F32", [3], 6),
            Tensor("f64", "F64", [3], 7),
        ];
        string[] expected = ["f64", "i64", "b_f32", "f32", "f16", "bool", "u8"];

        // When
        byte[] file = SafeTensorsWriter.ToBytes(tensors, new Dictionary<string, string> { ["k"] = "v" });

        // Then
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);
        Assert.Equal(expected, reader.Tensors.Select(t => t.Name));
        Assert.Equal(0, reader.Tensors[0].Begin);
        for (int i = 1; i < reader.Tensors.Count; i++)
        {
            Assert.Equal(reader.Tensors[i - 1].End, reader.Tensors[i].Begin);
        }

        string header = Encoding.UTF8.GetString(file, 8, (int)reader.HeaderSize);
        int[] positions = [header.IndexOf("\"__metadata__\"", StringComparison.Ordinal), .. expected.Select(n => header.IndexOf($"\"{n}\":", StringComparison.Ordinal))];
        Assert.Equal(0, positions[0] - 1);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Should_RoundTripThroughDisk_When_UsingWriteAndOpen()
    {
        // Given
        string path = Path.Combine(Path.GetTempPath(), $"flowtune-{Guid.NewGuid():N}.safetensors");
        SafeTensorData[] tensors = ProjectTensors();

        try
        {
            // When
            SafeTensorsWriter.Write(path, tensors);
            using SafeTensorsReader reader = SafeTensorsReader.Open(path);

            // Then
            foreach (SafeTensorData tensor in tensors)
            {
                byte[] destination = new byte[reader.Get(tensor.Name).ByteLength];
                reader.ReadBytes(tensor.Name, destination);
                Assert.Equal(tensor.Data.ToArray(), destination);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
