using FlowTune.IO;
using static FlowTune.Tests.IO.SafeTensorsTestFiles;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsReaderLayoutValidationTests
{
    private static Exception? ReadEntries(int dataLength, params string[] entries) =>
        ReadFailure(Build("{" + string.Join(",", entries) + "}", dataLength));

    [Fact]
    public void Should_RejectLayout_When_FirstTensorDoesNotStartAtZero()
    {
        // Given
        string entry = Entry("late", "U8", "[4]", 4, 8);

        // When
        Exception? exception = ReadEntries(8, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 'late' is the first tensor in the byte buffer but starts at offset 4; it must start at 0", invalid.Message);
    }

    [Fact]
    public void Should_RejectLayout_When_TensorsLeaveAHole()
    {
        // Given
        string first = Entry("a", "U8", "[4]", 0, 4);
        string second = Entry("b", "U8", "[4]", 6, 10);

        // When
        Exception? exception = ReadEntries(10, second, first);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 'b' starts at offset 6, leaving a hole after the previous tensor which ends at 4", invalid.Message);
    }

    [Fact]
    public void Should_RejectLayout_When_TensorsOverlap()
    {
        // Given
        string first = Entry("a", "U8", "[4]", 0, 4);
        string second = Entry("b", "U8", "[4]", 2, 6);

        // When
        Exception? exception = ReadEntries(6, first, second);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 'b' starts at offset 2, overlapping the previous tensor which ends at 4", invalid.Message);
    }

    [Fact]
    public void Should_RejectLayout_When_ByteLengthDoesNotMatchShapeAndDType()
    {
        // Given
        string entry = Entry("w", "F32", "[2,2]", 0, 12);

        // When
        Exception? exception = ReadEntries(12, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 'w' size mismatch: dtype F32 with shape [2, 2] needs 16 bytes but data_offsets [0, 12] span 12 bytes", invalid.Message);
    }

    [Theory]
    [InlineData("[4294967296,4294967296]")]
    [InlineData("[2305843009213693952]")]
    public void Should_RejectLayout_When_ShapeSizeOverflows(string shape)
    {
        // Given
        string entry = Entry("huge", "F32", shape, 0, 4);

        // When
        Exception? exception = ReadEntries(4, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 'huge' has shape", invalid.Message);
        Assert.Contains("overflows a 64-bit integer", invalid.Message);
    }

    [Theory]
    [InlineData("F4", "[3]", "3 elements of 4 bits (12 bits)")]
    [InlineData("F6_E2M3", "[2]", "2 elements of 6 bits (12 bits)")]
    public void Should_RejectLayout_When_SubByteTensorIsNotWholeBytes(string dtype, string shape, string expected)
    {
        // Given
        string entry = Entry("packed", dtype, shape, 0, 2);

        // When
        Exception? exception = ReadEntries(2, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains($"Tensor 'packed' has {expected}, which is not a whole number of bytes", invalid.Message);
    }

    [Fact]
    public void Should_RejectFile_When_BytesTrailTheLastTensor()
    {
        // Given
        string entry = Entry("a", "U8", "[4]", 0, 4);

        // When
        Exception? exception = ReadEntries(5, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("has 1 trailing bytes", invalid.Message);
    }

    [Fact]
    public void Should_RejectFile_When_DataIsTruncated()
    {
        // Given
        string entry = Entry("a", "U8", "[4]", 0, 4);

        // When
        Exception? exception = ReadEntries(3, entry);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("is truncated: tensor data ends at 4 but the byte buffer is only 3 bytes", invalid.Message);
    }

    [Fact]
    public void Should_RejectFile_When_HeaderHasNoTensorsButDataFollows()
    {
        // Given
        byte[] file = Build("{}", 2);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("has 2 trailing bytes", invalid.Message);
    }

    [Fact]
    public void Should_AcceptScalarEmptyAndPackedTensors_When_LayoutIsExact()
    {
        // Given
        string scalar = Entry("scalar", "F32", "[]", 0, 4);
        string empty = Entry("empty", "F16", "[3,0,5]", 4, 4);
        string packed = Entry("packed", "F4", "[2,3]", 4, 7);

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(Build("{" + string.Join(",", packed, empty, scalar) + "}", 7));

        // Then
        Assert.Equal(["scalar", "empty", "packed"], reader.Tensors.Select(t => t.Name));
        Assert.Empty(reader.Get("scalar").Shape);
        Assert.Equal(4, reader.Get("scalar").ByteLength);
        Assert.Empty(reader.ReadBytes("empty"));
        Assert.Equal(3, reader.ReadBytes("packed").Length);
    }

    [Fact]
    public void Should_AcceptEmptyTensorAtOffsetZero_When_FileHasNoData()
    {
        // Given
        string entry = Entry("nothing", "I64", "[0]", 0, 0);

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(Build("{" + entry + "}"));

        // Then
        Assert.Equal(0, Assert.Single(reader.Tensors).ByteLength);
    }
}
