using FlowTune.Rewards.Remote;

namespace FlowTune.Tests.Rewards.Remote;

public sealed class PickleRoundTripTests
{
    private const string LoadAndRedump = PickleTrees.PythonCanon + """
        v = pickle.loads(sys.stdin.buffer.read())
        print(canon(v))
        for p in sys.argv[1:]:
            print(base64.b64encode(pickle.dumps(v, protocol=int(p))).decode())
        """;

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Should_LoadTheSameValuesInPython_When_WrittenByPickleWriter(int protocol)
    {
        // Given
        var tree = PickleTrees.Sample(withBytes: true);

        // When
        string[] lines = PythonProcess.RunLines(LoadAndRedump, PickleWriter.Write(tree, protocol));

        // Then
        Assert.Equal(PickleTrees.Canon(tree), lines[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_ReadBackEqualValues_When_PythonRedumpsWithEachProtocol(int protocol)
    {
        // Given: Python pickles bytes with protocols below 3 as a call to _codecs.encode, so those get no bytes
        var tree = PickleTrees.Sample(withBytes: protocol >= 3);
        string[] lines = PythonProcess.RunLines(LoadAndRedump, PickleWriter.Write(tree), protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // When
        object? back = PickleReader.Read(Convert.FromBase64String(lines[1]));

        // Then
        PickleTrees.AssertEqual(tree, back);
    }

    [Fact]
    public void Should_WriteClrCollectionsAsPythonListsAndDicts_When_GivenArraysAndTypedDictionaries()
    {
        // Given
        var value = new Dictionary<string, object?>
        {
            ["scores"] = new[] { 0.25, 1.0 },
            ["components"] = new Dictionary<string, double[]> { ["colour_match"] = [0.5], ["coverage"] = [0.125] },
            ["count"] = 7,
            ["single"] = 0.5f,
            ["big"] = ulong.MaxValue,
            ["memory"] = new ReadOnlyMemory<byte>([9, 8, 7]),
        };

        // When
        string[] lines = PythonProcess.RunLines(LoadAndRedump, PickleWriter.Write(value));

        // Then
        Assert.Equal(PickleTrees.Canon(value), lines[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Should_DecodeTuplesAsListsAndSharedValues_When_PythonPicklesThem(int protocol)
    {
        // Given
        const string script = PickleTrees.PythonCanon + """
            shared = [1, "x"]
            v = {"t": (1, "a", (2.5,), (), (None, True), (1, 2, 3, 4)), "a": shared, "b": shared, "k": -3}
            print(canon(v))
            print(base64.b64encode(pickle.dumps(v, protocol=int(sys.argv[1]))).decode())
            """;
        string[] lines = PythonProcess.RunLines(script, null, protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // When
        object? decoded = PickleReader.Read(Convert.FromBase64String(lines[1]));

        // Then
        Assert.Equal(lines[0], PickleTrees.Canon(decoded));
        var dict = Assert.IsType<Dictionary<string, object?>>(decoded);
        Assert.IsAssignableFrom<List<object?>>(dict["t"]);
    }

    [Fact]
    public void Should_ThrowArgumentException_When_ValueHasNoPickleMapping()
    {
        // Given
        var value = new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch };

        // When
        var error = Assert.Throws<ArgumentException>(() => PickleWriter.Write(value));

        // Then
        Assert.Contains(nameof(DateTime), error.Message, StringComparison.Ordinal);
    }
}
