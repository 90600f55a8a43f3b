using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;

namespace FlowTune.Rewards.Remote;

/// <summary>
/// Encodes a tree of plain values as a pickle (protocol 3 or 4) that Python 3's <c>pickle.loads</c> reads back as
/// the same dicts, lists, str, bytes, int, float, bool and None. Nothing is memoized (trees only, no sharing).
/// </summary>
/// <remarks>
/// Accepted values: null; <see cref="bool"/>; the integer types up to <see cref="long"/> and <see cref="ulong"/>;
/// <see cref="float"/> and <see cref="double"/> (written as 64-bit BINFLOAT); <see cref="string"/> (valid UTF-16;
/// a lone surrogate is refused); <c>byte[]</c> and <see cref="ReadOnlyMemory{T}"/> of bytes (Python bytes);
/// <see cref="IReadOnlyDictionary{TKey,TValue}"/> of string → object? and any <see cref="IDictionary"/> with string
/// keys (Python dict, in enumeration order); any other <see cref="IEnumerable"/>, e.g. lists and arrays (Python
/// list). Protocol 4 puts the body in one FRAME and uses its short string opcodes.
/// </remarks>
public static class PickleWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Deepest nesting <see cref="Write"/> accepts (guards against cyclic inputs).</summary>
    public const int MaxDepth = 256;

    /// <summary>Encodes <paramref name="value"/> as a pickle.</summary>
    /// <param name="value">The value tree.</param>
    /// <param name="protocol">3 or 4 (4 is Python 3.8+'s default).</param>
    /// <exception cref="ArgumentException">An unsupported value type, a non-string dict key, a lone surrogate, or
    /// nesting deeper than <see cref="MaxDepth"/>.</exception>
    public static byte[] Write(object? value, int protocol = 4)
    {
        if (protocol is not (3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "PickleWriter writes protocol 3 or 4");
        }

        using var body = new MemoryStream();
        WriteValue(body, value, protocol, depth: 0);
        body.WriteByte((byte)'.'); // STOP

        using var output = new MemoryStream((int)body.Length + 11);
        output.WriteByte(0x80); // PROTO
        output.WriteByte((byte)protocol);
        if (protocol >= 4)
        {
            output.WriteByte(0x95); // FRAME
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)body.Length);
            output.Write(length);
        }

        body.Position = 0;
        body.CopyTo(output);
        return output.ToArray();
    }

    private static void WriteValue(MemoryStream output, object? value, int protocol, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"value nests deeper than {MaxDepth} (a cycle?)", nameof(value));
        }

        switch (value)
        {
            case null:
                output.WriteByte((byte)'N');
                break;
            case bool flag:
                output.WriteByte(flag ? (byte)0x88 : (byte)0x89);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                WriteInteger(output, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                WriteBigInteger(output, new BigInteger(unsigned));
                break;
            case float single:
                WriteFloat(output, single);
                break;
            case double number:
                WriteFloat(output, number);
                break;
            case string text:
                WriteString(output, text, protocol);
                break;
            case byte[] bytes:
                WriteBytes(output, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                WriteBytes(output, memory.Span);
                break;
            case IReadOnlyDictionary<string, object?> dict:
                WriteDict(output, dict.Select(kv => (kv.Key, kv.Value)), protocol, depth);
                break;
            case IDictionary dict:
                WriteDict(output, Entries(dict), protocol, depth);
                break;
            case IEnumerable items:
                WriteList(output, items, protocol, depth);
                break;
            default:
                throw new ArgumentException($"cannot pickle a {value.GetType().FullName}; only dicts, lists, str, bytes, integers, floats, bool and null are supported", nameof(value));
        }
    }

    private static IEnumerable<(string Key, object? Value)> Entries(IDictionary dict)
    {
        foreach (DictionaryEntry entry in dict)
        {
            if (entry.Key is not string key)
            {
                throw new ArgumentException($"dict key of type {entry.Key.GetType().FullName}; only string keys are supported", nameof(dict));
            }

            yield return (key, entry.Value);
        }
    }

    private static void WriteDict(MemoryStream output, IEnumerable<(string Key, object? Value)> entries, int protocol, int depth)
    {
        output.WriteByte((byte)'}'); // EMPTY_DICT
        bool open = false;
        foreach (var (key, value) in entries)
        {
            if (!open)
            {
                output.WriteByte((byte)'('); // MARK
                open = true;
            }

            WriteString(output, key, protocol);
            WriteValue(output, value, protocol, depth + 1);
        }

        if (open)
        {
            output.WriteByte((byte)'u'); // SETITEMS
        }
    }

    private static void WriteList(MemoryStream output, IEnumerable items, int protocol, int depth)
    {
        output.WriteByte((byte)']'); // EMPTY_LIST
        bool open = false;
        foreach (object? item in items)
        {
            if (!open)
            {
                output.WriteByte((byte)'('); // MARK
                open = true;
            }

            WriteValue(output, item, protocol, depth + 1);
        }

        if (open)
        {
            output.WriteByte((byte)'e'); // APPENDS
        }
    }

    private static void WriteInteger(MemoryStream output, long value)
    {
        Span<byte> buffer = stackalloc byte[4];
        if (value is >= 0 and <= byte.MaxValue)
        {
            output.WriteByte((byte)'K'); // BININT1
            output.WriteByte((byte)value);
        }
        else if (value is >= 0 and <= ushort.MaxValue)
        {
            output.WriteByte((byte)'M'); // BININT2
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value);
            output.Write(buffer[..2]);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            output.WriteByte((byte)'J'); // BININT
            BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value);
            output.Write(buffer);
        }
        else
        {
            WriteBigInteger(output, new BigInteger(value));
        }
    }

    private static void WriteBigInteger(MemoryStream output, BigInteger value)
    {
        byte[] bytes = value.ToByteArray(); // minimal two's complement, little-endian, as LONG1 wants
        output.WriteByte(0x8a); // LONG1
        output.WriteByte((byte)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteFloat(MemoryStream output, double value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(buffer, value);
        output.WriteByte((byte)'G'); // BINFLOAT
        output.Write(buffer);
    }

    private static void WriteString(MemoryStream output, string text, int protocol)
    {
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("string holds a lone surrogate, which is not valid UTF-8", nameof(text), e);
        }

        if (protocol >= 4 && utf8.Length < 256)
        {
            output.WriteByte(0x8c); // SHORT_BINUNICODE
            output.WriteByte((byte)utf8.Length);
        }
        else
        {
            output.WriteByte((byte)'X'); // BINUNICODE (a .NET array is far below 4 GiB)
            WriteUInt32(output, (uint)utf8.Length);
        }

        output.Write(utf8);
    }

    private static void WriteBytes(MemoryStream output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 256)
        {
            output.WriteByte((byte)'C'); // SHORT_BINBYTES
            output.WriteByte((byte)bytes.Length);
        }
        else
        {
            output.WriteByte((byte)'B'); // BINBYTES
            WriteUInt32(output, (uint)bytes.Length);
        }

        output.Write(bytes);
    }

    private static void WriteUInt32(MemoryStream output, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        output.Write(buffer);
    }
}
