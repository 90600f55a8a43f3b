using System.Globalization;
using FlowTune.Rewards.Remote;

namespace FlowTune.Tests.Rewards.Remote;

public sealed class PickleHostileTests
{
    private const string DumpPrelude = """
        import os, pickle, shlex, sys
        protocol = int(sys.argv[1])
        def out(v, **kw):
            sys.stdout.buffer.write(pickle.dumps(v, protocol=protocol, **kw))

        """;

    private static byte[] PythonPickle(string body, int protocol, params string[] extra) =>
        PythonProcess.Run(DumpPrelude + body, null, [protocol.ToString(CultureInfo.InvariantCulture), .. extra]);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_RejectNamingTheGlobal_When_PickleHoldsAClassInstance(int protocol)
    {
        // Given
        byte[] pickle = PythonPickle("""
            class Point:
                def __init__(self): self.x = 1
            out({"ok": [1, 2], "point": Point()})
            """, protocol);

        // When
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Contains(error.OpcodeName, new[] { "GLOBAL", "STACK_GLOBAL" });
        Assert.NotNull(error.Global);
        Assert.Contains(error.Global, error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {error.Offset}", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Opcode, pickle[error.Offset]);
        if (protocol >= 2)
        {
            Assert.Equal("__main__.Point", error.Global);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Should_RejectWithoutRunningIt_When_PickleCallsOsSystemToCreateAFile(int protocol)
    {
        // Given: a pickle that would run `touch <marker>` if Python loaded it
        string marker = Path.Combine(Path.GetTempPath(), $"flowtune-pickle-marker-{Guid.NewGuid():N}");
        byte[] pickle = PythonPickle("""
            class Evil:
                def __reduce__(self):
                    return (os.system, ("touch " + shlex.quote(sys.argv[2]),))
            out({"scores": [1.0], "payload": Evil()})
            """, protocol, marker);

        // When
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Contains(error.OpcodeName, new[] { "GLOBAL", "STACK_GLOBAL" });
        Assert.EndsWith(".system", error.Global, StringComparison.Ordinal);
        Assert.Contains("system", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), $"{marker} exists: the pickle was executed");
    }

    [Fact]
    public void Should_RejectNamingReduce_When_ReduceAppearsWithoutAGlobal()
    {
        // Given: EMPTY_LIST, EMPTY_TUPLE, REDUCE (calling a list) — no import at all
        byte[] pickle = PythonProcess.Run("import sys; sys.stdout.buffer.write(b'\\x80\\x04]\\x94)R.')");

        // When
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Equal("REDUCE", error.OpcodeName);
        Assert.Equal((byte)'R', pickle[error.Offset]);
        Assert.Contains("REDUCE", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{1, 2}", 4, "EMPTY_SET")]
    [InlineData("frozenset([1, 2])", 4, "FROZENSET")]
    [InlineData("{1, 2}", 2, "GLOBAL")]
    [InlineData("bytearray(b'ab')", 5, "BYTEARRAY8")]
    [InlineData("pickle.PickleBuffer(b'ab')", 5, "NEXT_BUFFER")]
    public void Should_RejectNamingTheOpcode_When_PickleHoldsSetsOrBuffers(string expression, int protocol, string opcode)
    {
        // Given
        string keywords = expression.StartsWith("pickle.PickleBuffer", StringComparison.Ordinal) ? ", buffer_callback=[].append" : string.Empty;
        byte[] pickle = PythonPickle($"out([\"fine\", {expression}]{keywords})", protocol);

        // When
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Equal(opcode, error.OpcodeName);
        Assert.Contains(opcode, error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Opcode, pickle[error.Offset]);
    }

    [Fact]
    public void Should_RejectNamingCodecsEncode_When_Protocol2PickleHoldsBytes()
    {
        // Given
        byte[] pickle = PythonPickle("out({'image': b'\\x89PNG'})", 2);

        // When
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Equal("_codecs.encode", error.Global);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Should_RefuseNestingBeyondTheLimit_When_PythonNestsDeeply(int protocol)
    {
        // Given: 40 levels of single-item lists (no marks) and of two-item lists (marks)
        var options = new PickleReaderOptions(MaxDepth: 16);
        byte[] single = PythonPickle("v = []\nfor _ in range(40): v = [v]\nout(v)", protocol);
        byte[] pairs = PythonPickle("v = []\nfor _ in range(40): v = [v, 1]\nout(v)", protocol);
        byte[] shallow = PythonPickle("v = []\nfor _ in range(15): v = [v, 1]\nout(v)", protocol);

        // When
        var singleError = Assert.Throws<PickleException>(() => PickleReader.Read(single, options));
        var pairsError = Assert.Throws<PickleException>(() => PickleReader.Read(pairs, options));
        object? accepted = PickleReader.Read(shallow, options);

        // Then
        Assert.Contains("16", singleError.Message, StringComparison.Ordinal);
        Assert.Contains("16", pairsError.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<List<object?>>(accepted);
    }

    [Fact]
    public void Should_SayTruncated_When_AnyPrefixOfAPickleIsRead()
    {
        // Given
        byte[] pickle = PythonPickle("out({'scores': [0.5, 1.0], 'name': 'x' * 300, 'n': 2 ** 40, 'b': b'\\x00' * 10})", 4);

        for (int length = 0; length < pickle.Length; length++)
        {
            // When
            var error = Assert.Throws<PickleException>(() => PickleReader.Read(pickle.AsMemory(0, length), PickleReaderOptions.Default));

            // Then
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_ThrowOnlyPickleExceptions_When_BytesAreCorrupted()
    {
        // Given
        byte[] pickle = PythonPickle("out({'scores': [0.5, 1.0, -3], 'group': {'colors': [1.0, -10.0]}, 'ok': True, 't': (1, 'a')})", 4);
        var random = new Random(1234);

        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] corrupted = (byte[])pickle.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            }

            // When
            var error = Record.Exception(() => PickleReader.Read(corrupted));

            // Then
            Assert.True(error is null or PickleException, $"trial {trial}: {error}");
        }
    }

    [Theory]
    [InlineData("2 ** 64", "LONG1")]
    [InlineData("-(2 ** 63) - 1", "LONG1")]
    [InlineData("2 ** 2100", "LONG4")]
    public void Should_RefuseIntegersOutsideInt64_When_PythonPicklesBigInts(string expression, string opcode)
    {
        // Given
        byte[] pickle = PythonPickle($"out([{expression}])", 4);
        byte[] edge = PythonPickle("out([2 ** 63 - 1, -(2 ** 63)])", 4);

        // When
        var error = Assert.Throws<PickleException>(() => PickleReader.Read(pickle));
        var accepted = Assert.IsType<List<object?>>(PickleReader.Read(edge));

        // Then
        Assert.Contains(opcode, error.Message, StringComparison.Ordinal);
        Assert.Contains("int64", error.Message, StringComparison.Ordinal);
        Assert.Equal([long.MaxValue, long.MinValue], accepted.Cast<long>());
    }

    [Fact]
    public void Should_RefuseCycles_When_AListContainsItself()
    {
        // Given
        byte[] pickle = PythonPickle("a = [1]\na.append(a)\nout(a)", 4);

        // When
        var error = Assert.Throws<PickleException>(() => PickleReader.Read(pickle));

        // Then
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RefuseExponentialExpansion_When_MemoSharesSubtrees()
    {
        // Given: 40 levels of [a, a] are a few hundred bytes but 2^40 leaves
        byte[] pickle = PythonPickle("a = [1]\nfor _ in range(40): a = [a, a]\nout(a)", 4);
        var options = new PickleReaderOptions(MaxDepth: 64, MaxElements: 100_000);

        // When
        var error = Assert.Throws<PickleException>(() => PickleReader.Read(pickle, options));

        // Then
        Assert.True(pickle.Length < 2000, $"pickle is {pickle.Length} bytes");
        Assert.Contains("100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RefuseOversizedInputNonStringKeysAndTrailingBytes_When_Decoding()
    {
        // Given
        byte[] normal = PythonPickle("out({'scores': [1.0] * 100})", 4);
        byte[] intKeys = PythonPickle("out({1: 2})", 4);
        byte[] trailing = [.. normal, (byte)'N'];

        // When
        var sizeError = Assert.Throws<PickleException>(() => PickleReader.Read(normal, new PickleReaderOptions(MaxInputBytes: normal.Length - 1)));
        var keyError = Assert.Throws<PickleException>(() => PickleReader.Read(intKeys));
        var trailingError = Assert.Throws<PickleException>(() => PickleReader.Read(trailing));

        // Then
        Assert.Contains("limit", sizeError.Message, StringComparison.Ordinal);
        Assert.Contains("str keys", keyError.Message, StringComparison.Ordinal);
        Assert.Contains("after STOP", trailingError.Message, StringComparison.Ordinal);
        Assert.NotNull(PickleReader.Read(normal, new PickleReaderOptions(MaxInputBytes: normal.Length)));
    }
}
