using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Text;

namespace FlowTune.Tests.Rewards.Remote;

/// <summary>
/// Helpers for pickle tests: a canonical text of a value tree that a Python function (<see cref="PythonCanon"/>)
/// computes identically from Python objects (so both sides' view of one pickle can be compared), and value trees.
/// </summary>
internal static class PickleTrees
{
    /// <summary>Python source of <c>canon(v)</c>, the same text as <see cref="Canon"/> (tuples print as lists).</summary>
    public const string PythonCanon = """
        import base64, pickle, struct, sys
        def canon(v):
            if v is None: return "N"
            if v is True: return "T"
            if v is False: return "F"
            if type(v) is int: return "i%d" % v
            if type(v) is float: return "f" + struct.pack(">d", v).hex()
            if type(v) is str: return "s" + v.encode("utf-8", "surrogatepass").hex()
            if type(v) is bytes: return "b" + v.hex()
            if type(v) in (list, tuple): return "[" + ",".join(canon(x) for x in v) + "]"
            if type(v) is dict: return "{" + ",".join(canon(k) + ":" + canon(x) for k, x in v.items()) + "}"
            raise TypeError("unexpected type %r" % type(v))

        """;

    /// <summary>The canonical text of a tree (CLR integers, floats, collections and dictionaries normalised).</summary>
    public static string Canon(object? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    /// <summary>A tree touching every encoding the writer and Python's pickler use (bytes only when asked).</summary>
    public static Dictionary<string, object?> Sample(bool withBytes)
    {
        var tree = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["ints"] = new List<object?> { 0L, 1L, -1L, 255L, 256L, 65535L, 65536L, (long)int.MaxValue, (long)int.MinValue, (long)int.MaxValue + 1, (long)int.MinValue - 1, long.MaxValue, long.MinValue },
            ["floats"] = new List<object?> { 0.0, -0.0, 0.1, 1e300, -2.5e-300, double.Epsilon, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1.0 / 3 },
            ["strings"] = new List<object?> { string.Empty, "plain", "h\u00e9llo \u2713 \U0001F600", "back\\slash\nnew line\r\0nul \u001a end", "\\u0041 not an escape", new string('x', 300) },
            ["flags"] = new List<object?> { true, false, null },
            ["empty_list"] = new List<object?>(),
            ["empty_dict"] = new Dictionary<string, object?>(StringComparer.Ordinal),
            ["nested"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["group_rewards"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["colors"] = new List<object?> { 1.0, -10.0 }, ["counting"] = new List<object?> { -10.0, 0.5 } },
                ["deep"] = new List<object?> { new List<object?> { new List<object?> { 1L, "two", 3.0 } } },
            },
            ["many"] = Enumerable.Range(0, 2500).Select(i => (object?)(long)(i * 7919)).ToList(),
        };
        if (withBytes)
        {
            tree["bytes"] = new List<object?> { Array.Empty<byte>(), new byte[] { 0, 1, 255 }, Enumerable.Range(0, 700).Select(i => (byte)(i * 31)).ToArray() };
        }

        return tree;
    }

    /// <summary>Deep structural equality of two decoded trees (floats by bits, so -0.0 ≠ 0.0 and NaN = NaN).</summary>
    public static void AssertEqual(object? expected, object? actual) => Assert.Equal(Canon(expected), Canon(actual));

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append('N');
                break;
            case bool flag:
                text.Append(flag ? 'T' : 'F');
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                text.Append('i').Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                text.Append('i').Append(unsigned.ToString(CultureInfo.InvariantCulture));
                break;
            case ReadOnlyMemory<byte> memory:
                text.Append('b').Append(Convert.ToHexStringLower(memory.Span));
                break;
            case float or double:
                Span<byte> bits = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(bits, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                text.Append('f').Append(Convert.ToHexStringLower(bits));
                break;
            case string s:
                text.Append('s').Append(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s)));
                break;
            case byte[] bytes:
                text.Append('b').Append(Convert.ToHexStringLower(bytes));
                break;
            case IDictionary dict:
                text.Append('{');
                bool firstEntry = true;
                foreach (DictionaryEntry entry in dict)
                {
                    if (!firstEntry)
                    {
                        text.Append(',');
                    }

                    firstEntry = false;
                    Append(text, entry.Key);
                    text.Append(':');
                    Append(text, entry.Value);
                }

                text.Append('}');
                break;
            case IEnumerable items:
                text.Append('[');
                bool firstItem = true;
                foreach (object? item in items)
                {
                    if (!firstItem)
                    {
                        text.Append(',');
                    }

                    firstItem = false;
                    Append(text, item);
                }

                text.Append(']');
                break;
            default:
                throw new ArgumentException($"unexpected {value.GetType()}");
        }
    }
}
