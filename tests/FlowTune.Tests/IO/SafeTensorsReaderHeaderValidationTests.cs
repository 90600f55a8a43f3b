using System.Buffers.Binary;
using System.Text;
using FlowTune.IO;
using static FlowTune.Tests.IO.SafeTensorsTestFiles;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsReaderHeaderValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Should_RejectHeaderTooSmall_When_FileIsShorterThanEightBytes(int length)
    {
        // Given
        byte[] file = new byte[length];

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("header too small", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeaderTooLarge_When_SizePrefixExceedsLimit()
    {
        // Given
        byte[] file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 100_000_001);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("header too large", invalid.Message);
        Assert.Contains("100000001", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_SizePrefixPointsPastEndOfFile()
    {
        // Given
        byte[] file = Build("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(file, 3);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("exceeds the file length 10", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_HeaderIsNotValidUtf8()
    {
        // Given
        byte[] header = [.. Encoding.UTF8.GetBytes("{\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\":1}")];
        byte[] file = Build(header);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("not valid UTF-8", invalid.Message);
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{} x")]
    [InlineData("{}{}")]
    [InlineData("{/*c*/}")]
    [InlineData("{\"__metadata__\":{\"k\":\"v\",}}")]
    public void Should_RejectHeader_When_HeaderIsNotValidJson(string header)
    {
        // Given
        byte[] file = Build(header);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("not valid JSON", invalid.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData(" {}")]
    [InlineData("")]
    public void Should_RejectHeader_When_HeaderIsNotAnObjectStartingWithBrace(string header)
    {
        // Given
        byte[] file = Build(header);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("must start with '{'", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_TopLevelKeyIsDuplicated()
    {
        // Given
        string header = "{" + Entry("w", "U8", "[1]", 0, 1) + "," + Entry("w", "U8", "[1]", 0, 1) + "}";
        byte[] file = Build(header, 1);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("duplicate key 'w'", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_EscapedKeyDuplicatesAnotherKey()
    {
        // Given
        string header = "{" + Entry("w", "U8", "[1]", 0, 1) + "," + Entry("\\u0077", "U8", "[0]", 1, 1) + "}";
        byte[] file = Build(header, 1);

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("duplicate key 'w'", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_MetadataKeyIsDuplicated()
    {
        // Given
        byte[] file = Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("duplicate key 'k' in '__metadata__'", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_MetadataSectionIsDuplicated()
    {
        // Given
        byte[] file = Build("{\"__metadata__\":{},\"__metadata__\":{}}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("duplicate key '__metadata__'", invalid.Message);
    }

    [Theory]
    [InlineData("{\"k\":{\"nested\":\"x\"}}", "found an object")]
    [InlineData("{\"k\":1}", "found a number")]
    [InlineData("{\"k\":null}", "found null")]
    [InlineData("{\"k\":[\"x\"]}", "found an array")]
    [InlineData("{\"k\":true}", "found a boolean")]
    public void Should_RejectMetadata_When_ValueIsNotAString(string metadata, string expected)
    {
        // Given
        byte[] file = Build("{\"__metadata__\":" + metadata + "}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("'__metadata__' value for key 'k' must be a string", invalid.Message);
        Assert.Contains(expected, invalid.Message);
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Should_RejectMetadata_When_SectionIsNotAnObject(string metadata)
    {
        // Given
        byte[] file = Build("{\"__metadata__\":" + metadata + "}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("'__metadata__' must be an object", invalid.Message);
    }

    [Fact]
    public void Should_RejectHeader_When_KeyEscapesALoneSurrogate()
    {
        // Given
        byte[] file = Build("{\"__metadata__\":{\"\\ud800\":\"v\"}}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("not valid JSON", invalid.Message);
    }

    [Fact]
    public void Should_AcceptHeader_When_PaddedWithTrailingSpaces()
    {
        // Given
        byte[] file = Build("{\"__metadata__\":{\"k\":\"v\"}}     ");

        // When
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);

        // Then
        Assert.Equal("v", reader.Metadata["k"]);
        Assert.Empty(reader.Tensors);
    }
}
