using System.Text;
using FlowTune.IO;

namespace FlowTune.Tests.IO;

public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flowtune-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SafeTensorData U8(string name, int length) => new(name, "U8", [length], new byte[length]);

    public static TheoryData<SafeTensorData[], string> InvalidTensors => new()
    {
        { [U8("", 1)], "must not be null or empty" },
        { [U8("__metadata__", 1)], "Tensor name '__metadata__' is reserved" },
        { [U8("w", 1), U8("w", 1)], "Duplicate tensor name 'w'" },
        { [new SafeTensorData("w", "F32", [2], new byte[7])], "Tensor 'w' data length mismatch: dtype F32 with shape [2] needs 8 bytes but 7 were provided" },
        { [new SafeTensorData("w", "F128", [1], new byte[16])], "Tensor 'w' has unknown dtype 'F128'" },
        { [new SafeTensorData("w", "U8", [-1], Array.Empty<byte>())], "Tensor 'w' has negative dimension -1" },
        { [new SafeTensorData("w", "F4", [3], new byte[2])], "Tensor 'w' has 3 elements of 4 bits (12 bits), which is not a whole number of bytes" },
        { [new SafeTensorData("w", "U8", [long.MaxValue, 2], new byte[1])], "Tensor 'w' has shape" },
        { [new SafeTensorData("bad\ud800", "U8", [1], new byte[1])], "is not valid UTF-16" },
    };

    [Theory]
    [MemberData(nameof(InvalidTensors))]
    public void Should_ThrowArgumentException_When_TensorIsInvalid(SafeTensorData[] tensors, string expected)
    {
        // Given
        SafeTensorData[] input = tensors;

        // When
        Exception? exception = Record.Exception(() => SafeTensorsWriter.ToBytes(input));

        // Then
        var argument = Assert.IsType<ArgumentException>(exception);
        Assert.Contains(expected, argument.Message);
    }

    [Fact]
    public void Should_ThrowArgumentException_When_MetadataValueIsNull()
    {
        // Given
        var metadata = new Dictionary<string, string> { ["k"] = null! };

        // When
        Exception? exception = Record.Exception(() => SafeTensorsWriter.ToBytes([U8("a", 1)], metadata));

        // Then
        var argument = Assert.IsType<ArgumentException>(exception);
        Assert.Contains("Metadata value for key 'k' must not be null", argument.Message);
    }

    [Fact]
    public void Should_ThrowArgumentNullException_When_TensorsIsNull()
    {
        // Given
        IEnumerable<SafeTensorData> tensors = null!;

        // When
        Exception? exception = Record.Exception(() => SafeTensorsWriter.ToBytes(tensors));

        // Then
        Assert.IsType<ArgumentNullException>(exception);
    }

    [Fact]
    public void Should_PadHeaderWithSpacesAndOmitMetadata_When_NoMetadataGiven()
    {
        // Given
        SafeTensorData[] tensors = [U8("abc", 3)];

        // When
        byte[] file = SafeTensorsWriter.ToBytes(tensors);

        // Then
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);
        string header = Encoding.UTF8.GetString(file, 8, (int)reader.HeaderSize);
        const string json = "{\"abc\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}";
        Assert.Equal(0, reader.HeaderSize % 8);
        Assert.InRange(header.Length - json.Length, 0, 7);
        Assert.Equal(json + new string(' ', header.Length - json.Length), header);
        Assert.DoesNotContain("__metadata__", header);
        Assert.Empty(reader.Metadata);
    }

    [Fact]
    public void Should_EscapeAndSortMetadata_When_MetadataHasSpecialCharacters()
    {
        // Given
        var metadata = new Dictionary<string, string> { ["z"] = "quote\" slash\\ tab\t <ü>", ["a"] = "1" };

        // When
        byte[] file = SafeTensorsWriter.ToBytes([], metadata);

        // Then
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(file);
        string header = Encoding.UTF8.GetString(file, 8, (int)reader.HeaderSize).TrimEnd(' ');
        Assert.Equal("{\"__metadata__\":{\"a\":\"1\",\"z\":\"quote\\\" slash\\\\ tab\\t <ü>\"}}", header);
        Assert.Equal(metadata["z"], reader.Metadata["z"]);
    }

    [Fact]
    public void Should_WriteFileAtomicallyWithoutLeftovers_When_WritingToPath()
    {
        // Given
        string path = Path.Combine(_directory, "out.safetensors");
        File.WriteAllText(path, "old contents");
        SafeTensorData[] tensors = [new SafeTensorData("x", "I32", [2], new byte[] { 1, 0, 0, 0, 2, 0, 0, 0 })];

        // When
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["step"] = "7" });

        // Then
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(SafeTensorsWriter.ToBytes(tensors, new Dictionary<string, string> { ["step"] = "7" }), File.ReadAllBytes(path));
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        Assert.Equal("7", reader.Metadata["step"]);
    }

    [Fact]
    public void Should_LeaveNoFile_When_WriteArgumentsAreInvalid()
    {
        // Given
        string path = Path.Combine(_directory, "invalid.safetensors");

        // When
        Exception? exception = Record.Exception(() => SafeTensorsWriter.Write(path, [U8("w", 1), U8("w", 1)]));

        // Then
        Assert.IsType<ArgumentException>(exception);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
