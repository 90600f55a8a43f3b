using System.Buffers.Binary;
using System.Text;
using FlowTune.IO;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsGoldenVectorTests
{
    private const string GoldenHeaderB =
        "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private static byte[] GoldenFileB()
    {
        byte[] header = Encoding.UTF8.GetBytes(GoldenHeaderB + "   ");
        return [0x58, 0, 0, 0, 0, 0, 0, 0, .. header, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40];
    }

    [Fact]
    public void Should_ReadOneI32Tensor_When_GivenCrateDocsVectorA()
    {
        // Given
        const string header = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        byte[] file = [0x3C, 0, 0, 0, 0, 0, 0, 0, .. headerBytes, .. new byte[16]];

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Equal(60, headerBytes.Length);
        Assert.Equal(60, reader.HeaderSize);
        Assert.Empty(reader.Metadata);
        SafeTensorInfo tensor = Assert.Single(reader.Tensors);
        Assert.Equal("test", tensor.Name);
        Assert.Equal("I32", tensor.DType);
        Assert.Equal([2L, 2L], tensor.Shape);
        Assert.Equal(16, tensor.ByteLength);
        Assert.Equal(new byte[16], reader.ReadBytes("test"));
    }

    [Fact]
    public void Should_ProduceExactGoldenBytes_When_WritingVectorB()
    {
        // Given
        byte[] data = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.0f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 2.0f);
        var tensors = new[] { new SafeTensorData("a", "F32", [2], data) };
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        // When
        byte[] file = SafeTensorsWriter.ToBytes(tensors, metadata);

        // Then
        Assert.Equal(85, Encoding.UTF8.GetByteCount(GoldenHeaderB));
        Assert.Equal(104, file.Length);
        Assert.Equal(GoldenFileB(), file);
    }

    [Fact]
    public void Should_ReadMetadataAndValues_When_GivenVectorB()
    {
        // Given
        byte[] file = GoldenFileB();

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Equal(88, reader.HeaderSize);
        Assert.Equal("pt", reader.Metadata["format"]);
        SafeTensorInfo tensor = Assert.Single(reader.Tensors);
        Assert.Equal(new SafeTensorInfo("a", "F32", tensor.Shape, 0, 8), tensor);
        byte[] bytes = reader.ReadBytes("a");
        Assert.Equal(1.0f, BinaryPrimitives.ReadSingleLittleEndian(bytes));
        Assert.Equal(2.0f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4)));
    }

    [Fact]
    public void Should_RoundTripByteForByte_When_ReadingThenWritingVectorB()
    {
        // Given
        byte[] original = GoldenFileB();
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(original);

        // When
        byte[] rewritten = SafeTensorsWriter.ToBytes(
            reader.Tensors.Select(t => new SafeTensorData(t.Name, t.DType, t.Shape, reader.ReadBytes(t.Name))),
            reader.Metadata);

        // Then
        Assert.Equal(original, rewritten);
    }
}
