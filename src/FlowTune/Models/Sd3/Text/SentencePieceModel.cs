using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FlowTune.Models.Sd3.Text;

/// <summary>A Unigram model: pieces (text, log-probability) in id order, the unknown piece, and the text normalisation.</summary>
internal sealed record UnigramModel(string Path, List<(string Piece, float Score)> Pieces, int UnkId, SentencePieceNormalization Normalization);

/// <summary>
/// sentencepiece's <c>Normalizer::Normalize</c>, written by hand because Microsoft.ML.Tokenizers 3.0.0 keeps characters
/// that the precompiled charsmap maps to nothing (nmt_nfkc deletes U+0001–U+0008, U+000B, U+000E–U+001F, U+007F, U+008F,
/// U+009F; the library leaves them in, and they become extra unknown pieces). On UTF-8 bytes: at each position the
/// longest charsmap rule that matches is applied (a double-array trie lookup, darts-clone format); no rule keeps one
/// character, malformed UTF-8 becomes U+FFFD; leading whitespace is skipped, runs of spaces collapse, trailing spaces
/// go, spaces become ▁, and a ▁ is prepended (add_dummy_prefix).
/// </summary>
internal sealed class SentencePieceNormalization
{
    private static readonly byte[] SpaceSymbol = [0xE2, 0x96, 0x81];
    private static readonly byte[] ReplacementChar = [0xEF, 0xBF, 0xBD];

    private readonly uint[] _trie;
    private readonly byte[] _normalized;
    private readonly bool _addDummyPrefix, _escapeWhitespaces, _removeExtraWhitespaces, _treatWhitespaceAsSuffix;

    /// <summary>Wraps a <c>precompiled_charsmap</c> (empty: no rules) and the normaliser flags; a malformed map is an error naming <paramref name="path"/>.</summary>
    public SentencePieceNormalization(string path, byte[] charsmap, bool addDummyPrefix, bool escapeWhitespaces, bool removeExtraWhitespaces, bool treatWhitespaceAsSuffix)
    {
        _addDummyPrefix = addDummyPrefix;
        _escapeWhitespaces = escapeWhitespaces;
        _removeExtraWhitespaces = removeExtraWhitespaces;
        _treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
        PrecompiledCharsmap = charsmap;
        if (charsmap.Length == 0)
        {
            _trie = [];
            _normalized = [];
            return;
        }
        if (charsmap.Length < 4)
        {
            throw new InvalidDataException($"{path}: precompiled_charsmap is truncated");
        }
        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(charsmap);
        if (trieSize % 4 != 0 || trieSize > charsmap.Length - 4 || trieSize == 0)
        {
            throw new InvalidDataException($"{path}: precompiled_charsmap has a trie of {trieSize} bytes in {charsmap.Length}");
        }
        _trie = new uint[trieSize / 4];
        for (var i = 0; i < _trie.Length; i++)
        {
            _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(charsmap.AsSpan(4 + (4 * i)));
        }
        _normalized = charsmap[(4 + (int)trieSize)..];
    }

    /// <summary>The <c>precompiled_charsmap</c> blob as read (empty when the model has none).</summary>
    public byte[] PrecompiledCharsmap { get; }

    /// <summary>The normalised text (▁ for spaces, with the dummy prefix) that the Unigram segmentation sees.</summary>
    public string Normalize(string text)
    {
        ReadOnlySpan<byte> input = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>(input.Length + 8);
        if (_removeExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                var consumed = NormalizePrefix(input, out var piece);
                if (piece.Length != 1 || piece[0] != (byte)' ')
                {
                    break;
                }
                input = input[consumed..];
            }
        }
        if (input.IsEmpty)
        {
            return "";
        }
        if (!_treatWhitespaceAsSuffix && _addDummyPrefix)
        {
            AddSpace(output);
        }
        var isPrevSpace = _removeExtraWhitespaces;
        while (!input.IsEmpty)
        {
            var consumed = NormalizePrefix(input, out var piece);
            while (isPrevSpace && piece.Length > 0 && piece[0] == (byte)' ')
            {
                piece = piece[1..];
            }
            if (!piece.IsEmpty)
            {
                foreach (var b in piece)
                {
                    if (_escapeWhitespaces && b == (byte)' ')
                    {
                        output.AddRange(SpaceSymbol);
                    }
                    else
                    {
                        output.Add(b);
                    }
                }
                isPrevSpace = piece[^1] == (byte)' ';
            }
            input = input[consumed..];
            if (!_removeExtraWhitespaces)
            {
                isPrevSpace = false;
            }
        }
        if (_removeExtraWhitespaces)
        {
            ReadOnlySpan<byte> space = _escapeWhitespaces ? SpaceSymbol : " "u8;
            while (output.Count >= space.Length && EndsWith(output, space))
            {
                output.RemoveRange(output.Count - space.Length, space.Length);
            }
        }
        if (_treatWhitespaceAsSuffix && _addDummyPrefix)
        {
            AddSpace(output);
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static bool EndsWith(List<byte> list, ReadOnlySpan<byte> suffix)
    {
        for (var k = 0; k < suffix.Length; k++)
        {
            if (list[list.Count - suffix.Length + k] != suffix[k])
            {
                return false;
            }
        }
        return true;
    }

    private void AddSpace(List<byte> output)
    {
        if (_escapeWhitespaces)
        {
            output.AddRange(SpaceSymbol);
        }
        else
        {
            output.Add((byte)' ');
        }
    }

    // sentencepiece's NormalizePrefix: (replacement, bytes consumed) for the longest rule matching at the start.
    private int NormalizePrefix(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> piece)
    {
        var longestLength = 0;
        var longestValue = 0;
        if (_trie.Length > 0)
        {
            // darts-clone DoubleArray::commonPrefixSearch.
            var nodePos = (long)Offset(_trie[0]);
            for (var i = 0; i < input.Length; i++)
            {
                nodePos ^= input[i];
                if (nodePos < 0 || nodePos >= _trie.Length)
                {
                    break;
                }
                var unit = _trie[nodePos];
                if (Label(unit) != input[i])
                {
                    break;
                }
                nodePos ^= Offset(unit);
                if (HasLeaf(unit) && nodePos >= 0 && nodePos < _trie.Length && i + 1 > longestLength)
                {
                    longestLength = i + 1;
                    longestValue = (int)(_trie[nodePos] & 0x7FFFFFFFu);
                }
            }
        }
        if (longestLength == 0)
        {
            var length = Rune.DecodeFromUtf8(input, out _, out var runeLength) == System.Buffers.OperationStatus.Done ? runeLength : 0;
            if (length > 0)
            {
                piece = input[..length];
                return length;
            }
            piece = ReplacementChar;
            return 1;
        }
        var end = longestValue;
        while (end < _normalized.Length && _normalized[end] != 0)
        {
            end++;
        }
        piece = _normalized.AsSpan(Math.Min(longestValue, _normalized.Length), Math.Max(0, end - longestValue));
        return longestLength;
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}

/// <summary>
/// The fields of a SentencePiece <c>ModelProto</c> (sentencepiece_model.proto) that Unigram encoding uses, read with a
/// minimal protobuf reader: pieces (text, score, type), the trainer spec's model type and flags, and the normaliser spec
/// (precompiled charsmap and whitespace flags). Everything FlowTune would have to ignore to load a model is an error.
/// </summary>
internal static class SentencePieceModelFile
{
    private const int Normal = 1, Unknown = 2, Control = 3;

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    public static UnigramModel Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var pieces = new List<(string Piece, float Score, int Type)>();
        var modelType = 1;
        bool byteFallback = false, treatWhitespaceAsSuffix = false;
        bool addDummyPrefix = true, removeExtraWhitespaces = true, escapeWhitespaces = true;
        byte[] charsmap = [];
        string? rules = null;
        try
        {
            foreach (var f in Fields(bytes))
            {
                switch (f.Number)
                {
                    case 1:
                        var pieceBytes = f.Bytes(bytes);
                        string piece = "";
                        float score = 0;
                        var type = Normal;
                        foreach (var p in Fields(pieceBytes))
                        {
                            switch (p.Number)
                            {
                                case 1: piece = Encoding.UTF8.GetString(p.Bytes(pieceBytes)); break;
                                case 2: score = p.Fixed32(pieceBytes); break;
                                case 3: type = (int)p.Varint; break;
                            }
                        }
                        pieces.Add((piece, score, type));
                        break;
                    case 2:
                        foreach (var t in Fields(f.Bytes(bytes)))
                        {
                            switch (t.Number)
                            {
                                case 3: modelType = (int)t.Varint; break;
                                case 24: treatWhitespaceAsSuffix = t.Varint != 0; break;
                                case 35: byteFallback = t.Varint != 0; break;
                            }
                        }
                        break;
                    case 3:
                        var spec = f.Bytes(bytes);
                        foreach (var s in Fields(spec))
                        {
                            switch (s.Number)
                            {
                                case 2: charsmap = s.Bytes(spec).ToArray(); break;
                                case 3: addDummyPrefix = s.Varint != 0; break;
                                case 4: removeExtraWhitespaces = s.Varint != 0; break;
                                case 5: escapeWhitespaces = s.Varint != 0; break;
                                case 6: rules = Encoding.UTF8.GetString(s.Bytes(spec)); break;
                            }
                        }
                        break;
                }
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model (malformed protobuf)", e);
        }

        InvalidDataException Unsupported(string what) => new($"{path}: {what}; FlowTune's T5 tokenizer reproduces only Unigram models without it");
        if (pieces.Count == 0)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model (no pieces)");
        }
        if (modelType != 1)
        {
            throw Unsupported($"model_type {modelType} is not UNIGRAM (1)");
        }
        if (byteFallback)
        {
            throw Unsupported("byte_fallback is set");
        }
        if (!string.IsNullOrEmpty(rules))
        {
            throw Unsupported("it has custom normalization_rule_tsv rules");
        }
        string[] controlNames = ["<s>", "</s>", "<pad>"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unkId = -1;
        for (var i = 0; i < pieces.Count; i++)
        {
            var (piece, _, type) = pieces[i];
            if (!seen.Add(piece))
            {
                throw new InvalidDataException($"{path}: piece {i} \"{piece}\" appears twice");
            }
            // Microsoft.ML.Tokenizers recognises the control pieces by these names and the unknown piece by its id.
            var namedControl = controlNames.Contains(piece);
            if (type == Unknown)
            {
                if (unkId >= 0)
                {
                    throw Unsupported("it has more than one UNKNOWN piece");
                }
                unkId = i;
            }
            else if ((type == Control) != namedControl || type is not (Normal or Control))
            {
                throw Unsupported($"piece {i} \"{piece}\" has type {type} (only NORMAL pieces and the CONTROL pieces <s>, </s>, <pad> are supported)");
            }
        }
        if (unkId < 0)
        {
            throw new InvalidDataException($"{path}: no piece of type UNKNOWN");
        }
        var normalization = new SentencePieceNormalization(path, charsmap, addDummyPrefix, escapeWhitespaces, removeExtraWhitespaces, treatWhitespaceAsSuffix);
        return new UnigramModel(path, pieces.Select(p => (p.Piece, p.Score)).ToList(), unkId, normalization);
    }
    private readonly record struct Field(int Number, int Wire, ulong Varint, int Offset, int Length)
    {
        public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> source) => Wire == 2 ? source.Slice(Offset, Length) : throw new ArgumentException("field is not length-delimited");

        public float Fixed32(ReadOnlySpan<byte> source) => Wire == 5 ? BinaryPrimitives.ReadSingleLittleEndian(source.Slice(Offset, 4)) : throw new ArgumentException("field is not fixed32");
    }

    private static List<Field> Fields(ReadOnlySpan<byte> data)
    {
        var fields = new List<Field>();
        var i = 0;
        while (i < data.Length)
        {
            var key = ReadVarint(data, ref i);
            var number = checked((int)(key >> 3));
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(data, ref i), 0, 0));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, 0, i, 8));
                    i += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(data, ref i));
                    fields.Add(new Field(number, wire, 0, i, length));
                    i = checked(i + length);
                    break;
                case 5:
                    fields.Add(new Field(number, wire, 0, i, 4));
                    i += 4;
                    break;
                default:
                    throw new ArgumentException($"unsupported wire type {wire}");
            }
            if (i > data.Length)
            {
                throw new ArgumentException("truncated field");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new ArgumentException("varint too long");
    }
}
