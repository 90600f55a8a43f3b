using FlowTune.IO;
using static FlowTune.Tests.IO.SafeTensorsTestFiles;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flowtune-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] TwoTensorFile() =>
        Build("{\"__metadata__\":{\"format\":\"pt\"}," + Entry("b", "U8", "[2]", 4, 6) + "," + Entry("a", "F32", "[]", 0, 4) + "}", 6);

    [Fact]
    public void Should_ReadHeaderAndData_When_OpeningFileFromDisk()
    {
        // Given
        string path = Path.Combine(_directory, "model.safetensors");
        File.WriteAllBytes(path, TwoTensorFile());

        // When
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);

        // Then
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal(["a", "b"], reader.Tensors.Select(t => t.Name));
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, reader.ReadBytes("a"));
        Assert.Equal(new byte[] { 4, 5 }, reader.ReadBytes("b"));
    }

    [Fact]
    public void Should_ThrowAndReleaseFile_When_OpeningInvalidFileFromDisk()
    {
        // Given
        string path = Path.Combine(_directory, "bad.safetensors");
        File.WriteAllBytes(path, Build("{" + Entry("a", "U8", "[2]", 0, 2) + "}", 3));

        // When
        Exception? exception = Record.Exception(() => SafeTensorsReader.Open(path));

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("trailing bytes", invalid.Message);
        using var reopened = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.True(reopened.CanWrite);
    }

    [Fact]
    public void Should_ThrowKeyNotFound_When_TensorIsMissing()
    {
        // Given
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(TwoTensorFile());

        // When
        Exception? exception = Record.Exception(() => reader.Get("nope"));

        // Then
        var missing = Assert.IsType<KeyNotFoundException>(exception);
        Assert.Contains("Tensor 'nope' is missing", missing.Message);
        Assert.False(reader.Contains("nope"));
        Assert.True(reader.Contains("a"));
    }

    [Fact]
    public void Should_ThrowArgumentException_When_DestinationLengthDiffers()
    {
        // Given
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(TwoTensorFile());
        byte[] destination = new byte[3];

        // When
        Exception? exception = Record.Exception(() => reader.ReadBytes("a", destination));

        // Then
        var argument = Assert.IsType<ArgumentException>(exception);
        Assert.Contains("Destination for tensor 'a' is 3 bytes but the tensor holds 4 bytes", argument.Message);
    }

    [Fact]
    public void Should_FillDestination_When_DestinationLengthMatches()
    {
        // Given
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(TwoTensorFile());
        byte[] destination = new byte[2];

        // When
        reader.ReadBytes("b", destination);

        // Then
        Assert.Equal(new byte[] { 4, 5 }, destination);
    }

    [Fact]
    public void Should_ThrowObjectDisposed_When_ReadingAfterDispose()
    {
        // Given
        string path = Path.Combine(_directory, "disposed.safetensors");
        File.WriteAllBytes(path, TwoTensorFile());
        SafeTensorsReader reader = SafeTensorsReader.Open(path);
        reader.Dispose();

        // When
        Exception? exception = Record.Exception(() => reader.ReadBytes("a"));

        // Then
        Assert.IsType<ObjectDisposedException>(exception);
    }

    [Fact]
    public void Should_ExposeEmptyMetadata_When_HeaderHasNoMetadata()
    {
        // Given
        byte[] file = Build("{" + Entry("a", "U8", "[1]", 0, 1) + "}", 1);

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Empty(reader.Metadata);
    }

    [Theory]
    [InlineData("BOOL", 8)]
    [InlineData("U8", 8)]
    [InlineData("I8", 8)]
    [InlineData("I16", 16)]
    [InlineData("U16", 16)]
    [InlineData("F16", 16)]
    [InlineData("BF16", 16)]
    [InlineData("I32", 32)]
    [InlineData("U32", 32)]
    [InlineData("F32", 32)]
    [InlineData("F64", 64)]
    [InlineData("I64", 64)]
    [InlineData("U64", 64)]
    [InlineData("C64", 64)]
    [InlineData("F8_E5M2", 8)]
    [InlineData("F8_E4M3", 8)]
    [InlineData("F8_E8M0", 8)]
    [InlineData("F8_E4M3FNUZ", 8)]
    [InlineData("F8_E5M2FNUZ", 8)]
    [InlineData("F4", 4)]
    [InlineData("F6_E2M3", 6)]
    [InlineData("F6_E3M2", 6)]
    public void Should_ParseDType_When_HeaderUsesAnyKnownDType(string dtype, int bits)
    {
        // Given
        int byteLength = 4 * bits / 8;
        byte[] file = Build("{" + Entry("t", dtype, "[2,2]", 0, byteLength) + "}", byteLength);

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Equal(dtype, reader.Get("t").DType);
        Assert.Equal(bits, SafeTensorDTypes.BitSize(dtype));
        Assert.True(SafeTensorDTypes.IsKnown(dtype));
    }
}
