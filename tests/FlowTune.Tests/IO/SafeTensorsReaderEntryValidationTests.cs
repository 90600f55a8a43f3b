using FlowTune.IO;
using static FlowTune.Tests.IO.SafeTensorsTestFiles;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsReaderEntryValidationTests
{
    private static InvalidDataException ReadEntry(string entryBody, int dataLength = 4)
    {
        byte[] file = Build("{\"t\":{" + entryBody + "}}", dataLength);
        return Assert.IsType<InvalidDataException>(ReadFailure(file));
    }

    [Theory]
    [InlineData("\"shape\":[4],\"data_offsets\":[0,4]", "'dtype'")]
    [InlineData("\"dtype\":\"U8\",\"data_offsets\":[0,4]", "'shape'")]
    [InlineData("\"dtype\":\"U8\",\"shape\":[4]", "'data_offsets'")]
    public void Should_RejectEntry_When_RequiredFieldIsMissing(string body, string field)
    {
        // Given
        string entry = body;

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains($"Tensor 't' is missing required field {field}", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_EntryHasUnknownField()
    {
        // Given
        const string entry = "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4],\"extra\":1";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' has unknown field 'extra'", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_EntryFieldIsDuplicated()
    {
        // Given
        const string entry = "\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' contains duplicate key 'dtype'", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_EntryIsNotAnObject()
    {
        // Given
        byte[] file = Build("{\"t\":[1,2]}");

        // When
        Exception? exception = ReadFailure(file);

        // Then
        var invalid = Assert.IsType<InvalidDataException>(exception);
        Assert.Contains("Tensor 't' entry must be a JSON object", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_DTypeIsNotAString()
    {
        // Given
        const string entry = "\"dtype\":8,\"shape\":[4],\"data_offsets\":[0,4]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' field 'dtype' must be a string", invalid.Message);
    }

    [Theory]
    [InlineData("F128")]
    [InlineData("f32")]
    [InlineData("")]
    public void Should_RejectEntry_When_DTypeIsUnknown(string dtype)
    {
        // Given
        string entry = $"\"dtype\":\"{dtype}\",\"shape\":[4],\"data_offsets\":[0,4]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains($"Tensor 't' has unknown dtype '{dtype}'", invalid.Message);
    }

    [Theory]
    [InlineData("[-1]", "-1")]
    [InlineData("[1.5]", "1.5")]
    [InlineData("[4e0]", "4e0")]
    [InlineData("[\"4\"]", "a string")]
    [InlineData("[null]", "null")]
    [InlineData("[18446744073709551616]", "18446744073709551616")]
    public void Should_RejectEntry_When_ShapeHasNonIntegerOrNegativeValue(string shape, string found)
    {
        // Given
        string entry = $"\"dtype\":\"U8\",\"shape\":{shape},\"data_offsets\":[0,4]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' field 'shape' must contain only non-negative integers", invalid.Message);
        Assert.Contains(found, invalid.Message);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("{}")]
    public void Should_RejectEntry_When_ShapeIsNotAnArray(string shape)
    {
        // Given
        string entry = $"\"dtype\":\"U8\",\"shape\":{shape},\"data_offsets\":[0,4]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' field 'shape' must be an array", invalid.Message);
    }

    [Theory]
    [InlineData("[]", 0)]
    [InlineData("[4]", 1)]
    [InlineData("[0,4,4]", 3)]
    public void Should_RejectEntry_When_DataOffsetsDoesNotHaveTwoValues(string offsets, int count)
    {
        // Given
        string entry = $"\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":{offsets}";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains($"'data_offsets' must contain exactly 2 integers, found {count}", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_DataOffsetIsNegative()
    {
        // Given
        const string entry = "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-4,0]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' field 'data_offsets' must contain only non-negative integers, found -4", invalid.Message);
    }

    [Fact]
    public void Should_RejectEntry_When_BeginIsGreaterThanEnd()
    {
        // Given
        const string entry = "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,0]";

        // When
        InvalidDataException invalid = ReadEntry(entry);

        // Then
        Assert.Contains("Tensor 't' has data_offsets begin 4 greater than end 0", invalid.Message);
    }
}
