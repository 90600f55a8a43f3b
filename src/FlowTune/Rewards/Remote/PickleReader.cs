using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace FlowTune.Rewards.Remote;

/// <summary>Limits of <see cref="PickleReader"/>.</summary>
/// <param name="MaxInputBytes">Largest accepted pickle, in bytes.</param>
/// <param name="MaxDepth">Deepest accepted container nesting (a flat list is depth 1).</param>
/// <param name="MaxElements">Most containers plus items, counted over the decoded tree (shared sub-trees count every
/// time they are reached, so a small pickle that expands exponentially through the memo is refused).</param>
public sealed record PickleReaderOptions(long MaxInputBytes = 256L << 20, int MaxDepth = 64, long MaxElements = 16L << 20)
{
    /// <summary>The default limits: 256 MiB, depth 64, 16 Mi elements.</summary>
    public static PickleReaderOptions Default { get; } = new();
}

/// <summary>
/// A strict pickle decoder (protocols 0–5) for plain data: it builds dicts (str keys only), lists, tuples (as
/// lists), str, bytes, int (within int64), float, bool and None, and understands the framing, memo, mark and
/// stack opcodes. Every other opcode (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4,
/// PERSID, BINPERSID, sets, bytearrays, out-of-band buffers, Python 2 str) stops decoding with a
/// <see cref="PickleRejectedException"/> naming the opcode, its offset and, for imports, the module.name asked for.
/// Nothing in the input is ever imported or executed.
/// </summary>
/// <remarks>
/// Decoded types: <see cref="Dictionary{TKey,TValue}"/> of string → object?, <see cref="List{T}"/> of object?
/// (tuples too), <see cref="string"/>, <c>byte[]</c>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>
/// and null. Input must end right after STOP, with exactly one value on the stack and no open mark.
/// </remarks>
public sealed class PickleReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _data;
    private readonly PickleReaderOptions _options;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    private PickleReader(ReadOnlyMemory<byte> data, PickleReaderOptions options)
    {
        _data = data;
        _options = options;
    }

    /// <summary>Decodes one pickled value with the default limits.</summary>
    /// <param name="data">The pickle bytes.</param>
    /// <exception cref="PickleRejectedException">A refused opcode.</exception>
    /// <exception cref="PickleException">Truncated or malformed input, or a limit exceeded.</exception>
    public static object? Read(byte[] data) => Read(data, PickleReaderOptions.Default);

    /// <summary>Decodes one pickled value.</summary>
    /// <param name="data">The pickle bytes.</param>
    /// <param name="options">Limits.</param>
    /// <exception cref="PickleRejectedException">A refused opcode.</exception>
    /// <exception cref="PickleException">Truncated or malformed input, or a limit exceeded.</exception>
    public static object? Read(ReadOnlyMemory<byte> data, PickleReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (data.Length > options.MaxInputBytes)
        {
            throw new PickleException($"pickle of {data.Length} bytes exceeds the limit of {options.MaxInputBytes} bytes", 0);
        }

        var reader = new PickleReader(data, options);
        object? value = reader.Run();
        CheckTree(value, options);
        return value;
    }

    private ReadOnlySpan<byte> Data => _data.Span;

    private object? Run()
    {
        while (true)
        {
            if (_position >= Data.Length)
            {
                throw new PickleException($"truncated pickle: input ended at byte offset {_position} before STOP", _position);
            }

            int offset = _position;
            byte op = Data[_position++];
            if (op == (byte)'.')
            {
                return Stop(offset);
            }

            Step(op, offset);
            if (_stack.Count > _options.MaxElements)
            {
                throw new PickleException($"pickle stack exceeds {_options.MaxElements} items at byte offset {offset}", offset);
            }
        }
    }

    private object? Stop(int offset)
    {
        if (_marks.Count > 0 || _stack.Count != 1)
        {
            throw new PickleException($"malformed pickle: STOP at byte offset {offset} with {_stack.Count} values and {_marks.Count} open marks on the stack (expected exactly one value)", offset);
        }

        if (_position != Data.Length)
        {
            throw new PickleException($"malformed pickle: {Data.Length - _position} bytes after STOP at byte offset {offset}", offset);
        }

        return _stack[0];
    }

    private void Step(byte op, int offset)
    {
        switch (op)
        {
            // Framing, stack and memo.
            case 0x80: // PROTO
                int protocol = ReadBytes(1, op, offset)[0];
                if (protocol > 5)
                {
                    throw new PickleException($"unsupported pickle protocol {protocol} at byte offset {offset} (0–5 are known)", offset);
                }

                break;
            case 0x95: // FRAME
                ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, op, offset));
                if (frame > (ulong)(Data.Length - _position))
                {
                    throw Truncated(op, offset, frame > int.MaxValue ? int.MaxValue : (int)frame);
                }

                break;
            case (byte)'(': // MARK
                if (_marks.Count >= _options.MaxDepth)
                {
                    throw new PickleException($"pickle nests more than {_options.MaxDepth} marks at byte offset {offset}", offset);
                }

                _marks.Add(_stack.Count);
                break;
            case (byte)'0': // POP
                if (_marks.Count > 0 && _marks[^1] == _stack.Count)
                {
                    _marks.RemoveAt(_marks.Count - 1);
                }
                else
                {
                    Pop(op, offset);
                }

                break;
            case (byte)'1': // POP_MARK
                PopMark(op, offset);
                break;
            case (byte)'2': // DUP
                Push(Peek(op, offset));
                break;
            case (byte)'p': // PUT
                Put(ParseMemoIndex(ReadLine(op, offset), op, offset), op, offset);
                break;
            case (byte)'q': // BINPUT
                Put(ReadBytes(1, op, offset)[0], op, offset);
                break;
            case (byte)'r': // LONG_BINPUT
                Put(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, op, offset)), op, offset);
                break;
            case 0x94: // MEMOIZE
                Put(_memo.Count, op, offset);
                break;
            case (byte)'g': // GET
                Get(ParseMemoIndex(ReadLine(op, offset), op, offset), op, offset);
                break;
            case (byte)'h': // BINGET
                Get(ReadBytes(1, op, offset)[0], op, offset);
                break;
            case (byte)'j': // LONG_BINGET
                Get(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, op, offset)), op, offset);
                break;

            // Scalars.
            case (byte)'N': // NONE
                Push(null);
                break;
            case 0x88: // NEWTRUE
                Push(true);
                break;
            case 0x89: // NEWFALSE
                Push(false);
                break;
            case (byte)'I': // INT (text; I01/I00 are True/False)
                Push(ParseTextInt(ReadLine(op, offset), op, offset, allowBool: true));
                break;
            case (byte)'L': // LONG (text, optional trailing L)
                Push(ParseTextInt(ReadLine(op, offset), op, offset, allowBool: false));
                break;
            case (byte)'J': // BININT
                Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, op, offset)));
                break;
            case (byte)'K': // BININT1
                Push((long)ReadBytes(1, op, offset)[0]);
                break;
            case (byte)'M': // BININT2
                Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, op, offset)));
                break;
            case 0x8a: // LONG1
                Push(ParseLong(ReadBytes(ReadBytes(1, op, offset)[0], op, offset), "LONG1", offset));
                break;
            case 0x8b: // LONG4
                int longLength = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, op, offset));
                if (longLength < 0)
                {
                    throw new PickleException($"malformed pickle: LONG4 at byte offset {offset} has negative length {longLength}", offset);
                }

                Push(ParseLong(ReadBytes(longLength, op, offset), "LONG4", offset));
                break;
            case (byte)'F': // FLOAT (text)
                Push(ParseTextFloat(ReadLine(op, offset), offset));
                break;
            case (byte)'G': // BINFLOAT
                Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8, op, offset)));
                break;

            // Strings and bytes.
            case (byte)'V': // UNICODE (raw-unicode-escape line)
                Push(DecodeRawUnicodeEscape(ReadLine(op, offset), offset));
                break;
            case (byte)'X': // BINUNICODE
                Push(DecodeUtf8(ReadBytes(ReadLength32(op, offset), op, offset), offset));
                break;
            case 0x8c: // SHORT_BINUNICODE
                Push(DecodeUtf8(ReadBytes(ReadBytes(1, op, offset)[0], op, offset), offset));
                break;
            case 0x8d: // BINUNICODE8
                Push(DecodeUtf8(ReadBytes(ReadLength64(op, offset), op, offset), offset));
                break;
            case (byte)'C': // SHORT_BINBYTES
                Push(ReadBytes(ReadBytes(1, op, offset)[0], op, offset).ToArray());
                break;
            case (byte)'B': // BINBYTES
                Push(ReadBytes(ReadLength32(op, offset), op, offset).ToArray());
                break;
            case 0x8e: // BINBYTES8
                Push(ReadBytes(ReadLength64(op, offset), op, offset).ToArray());
                break;

            // Containers.
            case (byte)']': // EMPTY_LIST
                Push(new List<object?>());
                break;
            case (byte)'}': // EMPTY_DICT
                Push(new Dictionary<string, object?>(StringComparer.Ordinal));
                break;
            case (byte)')': // EMPTY_TUPLE
                Push(new TupleList());
                break;
            case (byte)'l': // LIST
                Push(new List<object?>(PopMark(op, offset)));
                break;
            case (byte)'t': // TUPLE
                Push(new TupleList(PopMark(op, offset)));
                break;
            case 0x85: // TUPLE1
            case 0x86: // TUPLE2
            case 0x87: // TUPLE3
                Push(new TupleList(PopItems(op - 0x84, op, offset)));
                break;
            case (byte)'d': // DICT
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                SetItems(dict, PopMark(op, offset), op, offset);
                Push(dict);
                break;
            case (byte)'a': // APPEND
                object? item = Pop(op, offset);
                TargetList(op, offset).Add(item);
                break;
            case (byte)'e': // APPENDS
                List<object?> items = PopMark(op, offset);
                TargetList(op, offset).AddRange(items);
                break;
            case (byte)'s': // SETITEM
                object? value = Pop(op, offset);
                object? key = Pop(op, offset);
                SetItems(TargetDict(op, offset), [key, value], op, offset);
                break;
            case (byte)'u': // SETITEMS
                List<object?> pairs = PopMark(op, offset);
                SetItems(TargetDict(op, offset), pairs, op, offset);
                break;

            // Everything that imports, calls or builds objects, and the rest.
            case (byte)'c': // GLOBAL
                throw new PickleRejectedException(op, "GLOBAL", offset, TryReadGlobalName());
            case (byte)'i': // INST
                throw new PickleRejectedException(op, "INST", offset, TryReadGlobalName());
            case 0x93: // STACK_GLOBAL
                throw new PickleRejectedException(op, "STACK_GLOBAL", offset, StackGlobalName());
            default:
                throw new PickleRejectedException(op, OpcodeName(op), offset, null);
        }
    }

    /// <summary>The pickletools name of a refused or unknown opcode.</summary>
    private static string OpcodeName(byte op) => op switch
    {
        (byte)'R' => "REDUCE",
        (byte)'b' => "BUILD",
        (byte)'o' => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        (byte)'P' => "PERSID",
        (byte)'Q' => "BINPERSID",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        (byte)'S' => "STRING (Python 2 str)",
        (byte)'T' => "BINSTRING (Python 2 str)",
        (byte)'U' => "SHORT_BINSTRING (Python 2 str)",
        _ => "unknown",
    };

    private void Push(object? value) => _stack.Add(value);

    private object? Pop(byte op, int offset)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor)
        {
            throw StackUnderflow(op, offset);
        }

        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek(byte op, int offset)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor)
        {
            throw StackUnderflow(op, offset);
        }

        return _stack[^1];
    }

    private List<object?> PopItems(int count, byte op, int offset)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count - floor < count)
        {
            throw StackUnderflow(op, offset);
        }

        var items = _stack.GetRange(_stack.Count - count, count);
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private List<object?> PopMark(byte op, int offset)
    {
        if (_marks.Count == 0)
        {
            throw new PickleException($"malformed pickle: opcode 0x{op:x2} at byte offset {offset} needs a MARK but none is open", offset);
        }

        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private List<object?> TargetList(byte op, int offset)
    {
        object? target = Peek(op, offset);
        return target is List<object?> list and not TupleList
            ? list
            : throw new PickleException($"malformed pickle: append at byte offset {offset} to a {Describe(target)}, not a list", offset);
    }

    private Dictionary<string, object?> TargetDict(byte op, int offset)
    {
        object? target = Peek(op, offset);
        return target as Dictionary<string, object?>
            ?? throw new PickleException($"malformed pickle: set item at byte offset {offset} on a {Describe(target)}, not a dict", offset);
    }

    private static void SetItems(Dictionary<string, object?> dict, List<object?> pairs, byte op, int offset)
    {
        if (pairs.Count % 2 != 0)
        {
            throw new PickleException($"malformed pickle: opcode 0x{op:x2} at byte offset {offset} has an odd number ({pairs.Count}) of keys and values", offset);
        }

        for (int i = 0; i < pairs.Count; i += 2)
        {
            if (pairs[i] is not string key)
            {
                throw new PickleException($"unsupported pickle: dict key of type {Describe(pairs[i])} at byte offset {offset}; only str keys are accepted", offset);
            }

            dict[key] = pairs[i + 1];
        }
    }

    private void Put(long index, byte op, int offset)
    {
        if (_memo.Count >= _options.MaxElements && !_memo.ContainsKey(index))
        {
            throw new PickleException($"pickle memo exceeds {_options.MaxElements} entries at byte offset {offset}", offset);
        }

        _memo[index] = Peek(op, offset);
    }

    private void Get(long index, byte op, int offset)
    {
        if (!_memo.TryGetValue(index, out object? value))
        {
            throw new PickleException($"malformed pickle: opcode 0x{op:x2} at byte offset {offset} reads memo entry {index}, which was never stored", offset);
        }

        Push(value);
    }

    private ReadOnlySpan<byte> ReadBytes(long count, byte op, int offset)
    {
        if (count > Data.Length - _position)
        {
            throw Truncated(op, offset, count);
        }

        var span = Data.Slice(_position, (int)count);
        _position += (int)count;
        return span;
    }

    private long ReadLength32(byte op, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, op, offset));

    private long ReadLength64(byte op, int offset)
    {
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, op, offset));
        return length > long.MaxValue ? long.MaxValue : (long)length;
    }

    private ReadOnlySpan<byte> ReadLine(byte op, int offset)
    {
        int end = Data[_position..].IndexOf((byte)'\n');
        if (end < 0)
        {
            throw new PickleException($"truncated pickle: opcode 0x{op:x2} at byte offset {offset} has no end of line", offset);
        }

        var line = Data.Slice(_position, end);
        _position += end + 1;
        return line;
    }

    private PickleException Truncated(byte op, int offset, long needed) => new(
        $"truncated pickle: opcode 0x{op:x2} at byte offset {offset} needs {needed} more bytes, only {Data.Length - _position} left", offset);

    private static PickleException StackUnderflow(byte op, int offset) =>
        new($"malformed pickle: opcode 0x{op:x2} at byte offset {offset} pops from an empty stack", offset);

    private string? TryReadGlobalName()
    {
        var rest = Data[_position..];
        int first = rest.IndexOf((byte)'\n');
        if (first < 0 || first > 256)
        {
            return null;
        }

        var afterModule = rest[(first + 1)..];
        int second = afterModule.IndexOf((byte)'\n');
        if (second < 0 || second > 256)
        {
            return null;
        }

        return $"{Encoding.ASCII.GetString(rest[..first])}.{Encoding.ASCII.GetString(afterModule[..second])}";
    }

    private string? StackGlobalName()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count - floor >= 2 && _stack[^2] is string module && _stack[^1] is string name)
        {
            return $"{module}.{name}";
        }

        return null;
    }

    private static long ParseMemoIndex(ReadOnlySpan<byte> line, byte op, int offset)
    {
        if (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
        {
            throw new PickleException($"malformed pickle: opcode 0x{op:x2} at byte offset {offset} has a bad memo index", offset);
        }

        return index;
    }

    private static object ParseTextInt(ReadOnlySpan<byte> line, byte op, int offset, bool allowBool)
    {
        if (allowBool && line.SequenceEqual("01"u8))
        {
            return true;
        }

        if (allowBool && line.SequenceEqual("00"u8))
        {
            return false;
        }

        if (!allowBool && line.Length > 0 && line[^1] == (byte)'L')
        {
            line = line[..^1];
        }

        if (!long.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            string name = allowBool ? "INT" : "LONG";
            throw new PickleException($"unsupported pickle: {name} at byte offset {offset} is not an integer within int64", offset);
        }

        return value;
    }

    private static long ParseLong(ReadOnlySpan<byte> bytes, string name, int offset)
    {
        if (bytes.Length == 0)
        {
            return 0;
        }

        if (bytes.Length > 8)
        {
            // Allowed only when the extra high bytes are pure sign extension.
            byte fill = (bytes[7] & 0x80) != 0 ? (byte)0xff : (byte)0x00;
            if (bytes[8..].ContainsAnyExcept(fill))
            {
                throw new PickleException($"unsupported pickle: {name} at byte offset {offset} holds an integer outside int64 ({bytes.Length} bytes)", offset);
            }

            bytes = bytes[..8];
        }

        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return (long)big;
    }

    private static double ParseTextFloat(ReadOnlySpan<byte> line, int offset)
    {
        string text = Encoding.ASCII.GetString(line).Trim();
        switch (text)
        {
            case "nan":
                return double.NaN;
            case "inf":
                return double.PositiveInfinity;
            case "-inf":
                return double.NegativeInfinity;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new PickleException($"malformed pickle: FLOAT at byte offset {offset} is not a number", offset);
        }

        return value;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes, int offset)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new PickleException($"malformed pickle: str at byte offset {offset} is not valid UTF-8", e);
        }
    }

    /// <summary>Python's raw-unicode-escape: bytes are Latin-1 except <c>\uXXXX</c> and <c>\UXXXXXXXX</c>.</summary>
    private static string DecodeRawUnicodeEscape(ReadOnlySpan<byte> bytes, int offset)
    {
        var text = new StringBuilder(bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b == (byte)'\\' && i + 1 < bytes.Length && (bytes[i + 1] == (byte)'u' || bytes[i + 1] == (byte)'U'))
            {
                int digits = bytes[i + 1] == (byte)'u' ? 4 : 8;
                if (i + 2 + digits > bytes.Length
                    || !int.TryParse(bytes.Slice(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                    || code < 0 || code > 0x10FFFF)
                {
                    throw new PickleException($"malformed pickle: UNICODE at byte offset {offset} has a bad \\u escape", offset);
                }

                if (code is >= 0xD800 and <= 0xDFFF)
                {
                    text.Append((char)code);
                }
                else
                {
                    text.Append(char.ConvertFromUtf32(code));
                }

                i += 1 + digits;
            }
            else
            {
                text.Append((char)b);
            }
        }

        return text.ToString();
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        TupleList => "tuple",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        string => "str",
        byte[] => "bytes",
        long => "int",
        double => "float",
        bool => "bool",
        _ => value.GetType().Name,
    };

    /// <summary>Walks the decoded tree without recursion: refuses cycles, nesting beyond MaxDepth and more than
    /// MaxElements containers plus items (shared sub-trees counted each time).</summary>
    private static void CheckTree(object? root, PickleReaderOptions options)
    {
        if (root is not (List<object?> or Dictionary<string, object?>))
        {
            return;
        }

        var path = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var frames = new Stack<(object Container, IEnumerator<object?> Children)>();
        long elements = 1;
        path.Add(root);
        frames.Push((root, Children(root).GetEnumerator()));
        while (frames.Count > 0)
        {
            var (container, children) = frames.Peek();
            if (!children.MoveNext())
            {
                frames.Pop();
                path.Remove(container);
                continue;
            }

            if (++elements > options.MaxElements)
            {
                throw new PickleException($"pickle expands to more than {options.MaxElements} elements");
            }

            object? child = children.Current;
            if (child is List<object?> or Dictionary<string, object?>)
            {
                if (!path.Add(child))
                {
                    throw new PickleException("unsupported pickle: a container contains itself (a reference cycle)");
                }

                if (frames.Count + 1 > options.MaxDepth)
                {
                    throw new PickleException($"pickle nests containers deeper than {options.MaxDepth}");
                }

                frames.Push((child, Children(child).GetEnumerator()));
            }
        }
    }

    private static IEnumerable<object?> Children(object container) =>
        container is Dictionary<string, object?> dict ? dict.Values : (List<object?>)container;

    /// <summary>A decoded tuple: a list that refuses APPEND while decoding (tuples are immutable in Python).</summary>
    private sealed class TupleList : List<object?>
    {
        public TupleList()
        {
        }

        public TupleList(IEnumerable<object?> items)
            : base(items)
        {
        }
    }
}
