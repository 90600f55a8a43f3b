using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// transformers' slow <c>T5Tokenizer</c> (<c>legacy=True</c>) as SD3's pipeline calls it for <c>tokenizer_3/</c>, loaded
/// from <c>spiece.model</c> (or, lacking it, a <c>tokenizer.json</c> holding a Unigram model) plus the optional
/// <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c> (tools/sd3-text/README.md "T5 tokenizer"):
/// <list type="number">
/// <item>added tokens (<c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;extra_id_N&gt;</c>, …) are split out
/// first; the extra ids eat the whitespace on both sides;</item>
/// <item>each other chunk is SentencePiece-encoded on its own (Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>:
/// the model's precompiled nmt_nfkc charsmap, whitespace collapsing, the dummy <c>▁</c> prefix, Viterbi), and each run
/// of unknown pieces is merged into one <c>&lt;unk&gt;</c> as sentencepiece does;</item>
/// <item>eos is appended unless the ids already end with it; <see cref="EncodePadded"/> keeps the first max − 1 ids,
/// adds eos and pads on the right with the pad id, as <c>tokenizer_3(prompt, padding="max_length",
/// max_length=M, truncation=True, add_special_tokens=True)</c>.</item>
/// </list>
/// </summary>
public sealed class T5Tokenizer
{
    private readonly SentencePieceTokenizer _sp;
    private readonly SentencePieceNormalization _normalization;
    private readonly AddedTokens _added;
    private readonly int? _padId;

    private T5Tokenizer(SentencePieceTokenizer sp, SentencePieceNormalization normalization, AddedTokens added, int eos, int? pad, int unk, int modelMaxLength)
    {
        _sp = sp;
        _normalization = normalization;
        _added = added;
        EosTokenId = eos;
        _padId = pad;
        UnkTokenId = unk;
        ModelMaxLength = modelMaxLength;
    }

    /// <summary>Id of <c>&lt;/s&gt;</c> (1 in T5).</summary>
    public int EosTokenId { get; }

    /// <summary>Id of <c>&lt;pad&gt;</c> (0 in T5).</summary>
    public int PadTokenId => _padId ?? throw new InvalidOperationException("this T5 tokenizer has no pad token (pad_token is null)");

    /// <summary>Id of <c>&lt;unk&gt;</c> (2 in T5): a run of characters the model does not know becomes one of these.</summary>
    public int UnkTokenId { get; }

    /// <summary><c>model_max_length</c> of <c>tokenizer_config.json</c> (512 for T5; <see cref="int.MaxValue"/> when absent).</summary>
    public int ModelMaxLength { get; }

    /// <summary>
    /// Loads <c>tokenizer_3/</c>: <c>spiece.model</c> when present, else <c>tokenizer.json</c>; neither is a
    /// <see cref="FileNotFoundException"/> naming <c>spiece.model</c>. A model FlowTune cannot reproduce exactly (BPE,
    /// byte fallback, user-defined pieces, custom normalisation rules, <c>legacy: false</c>) is an error naming the file.
    /// </summary>
    public static T5Tokenizer FromPretrained(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var spiecePath = Path.Combine(folder, "spiece.model");
        var jsonPath = Path.Combine(folder, "tokenizer.json");
        UnigramModel model;
        if (File.Exists(spiecePath))
        {
            model = SentencePieceModelFile.Read(spiecePath);
        }
        else if (File.Exists(jsonPath))
        {
            model = ReadTokenizerJson(jsonPath);
        }
        else
        {
            throw new FileNotFoundException($"{spiecePath}: T5 SentencePiece model file not found (nor {jsonPath})", spiecePath);
        }
        var pieces = model.Pieces.Select(p => p.Piece).ToList();
        // The library segments (Viterbi over the pieces); normalisation is ours (see SentencePieceNormalization). Its
        // Create(Stream) also cannot load T5 models: it indexes its tables with bos_id, which T5 sets to -1.
        SentencePieceTokenizer sp;
        try
        {
            sp = SentencePieceTokenizer.Create(model.Pieces.Select(p => (p.Piece, p.Score)).ToList(), model.UnkId,
                addBeginningOfSentence: false, addEndOfSentence: false, precompiledCharsMap: default, addDummyPrefix: false,
                escapeWhiteSpaces: false, treatWhitespaceAsSuffix: false, byteFallback: false, specialTokens: null);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{model.Path}: Microsoft.ML.Tokenizers rejects the pieces: {e.Message}", e);
        }

        var files = TokenizerFiles.Load(folder, "T5 tokenizer", ["T5Tokenizer", "T5TokenizerFast"]);
        if (files.Field("legacy") is { ValueKind: JsonValueKind.False })
        {
            throw files.Error("legacy", "FlowTune implements T5Tokenizer's legacy behaviour (legacy: true or absent), which SD3 ships");
        }
        if (files.Field("sp_model_kwargs") is { } kwargs && (kwargs.ValueKind != JsonValueKind.Object || kwargs.EnumerateObject().Any()))
        {
            throw files.Error("sp_model_kwargs", "FlowTune supports no SentencePiece options (sampling, …)");
        }
        var eos = files.SpecialToken("eos_token", "</s>");
        var unk = files.SpecialToken("unk_token", "<unk>");
        var pad = files.SpecialToken("pad_token", "<pad>");

        // T5Tokenizer.__init__: the extra ids <extra_id_i> get ids len(sp) − 1 + extra_ids − i (lstrip and rstrip), unless
        // additional_special_tokens lists none of them, in which case they are appended to it and added later.
        var extraIds = files.Field("extra_ids") is { } x ? (x.TryGetInt32(out var n) && n >= 0 ? n : throw files.Error("extra_ids", "expected an integer ≥ 0")) : 100;
        List<AddedTokenInfo> additional;
        List<AddedTokenInfo> extraTokens;
        if (files.Field("additional_special_tokens") is not null)
        {
            additional = files.AdditionalSpecialTokens();
            extraTokens = additional.Where(t => t.Content.Contains("<extra_id_", StringComparison.Ordinal)).ToList();
            if (extraTokens.Count < 1)
            {
                additional.AddRange(Enumerable.Range(0, extraIds).Select(i => new AddedTokenInfo($"<extra_id_{i}>")));
            }
            else if (extraIds > 0 && extraIds != extraTokens.Count)
            {
                throw files.Error("extra_ids", $"additional_special_tokens lists {extraTokens.Count} extra ids; transformers requires extra_ids to match");
            }
        }
        else
        {
            additional = Enumerable.Range(0, extraIds).Select(i => new AddedTokenInfo($"<extra_id_{i}>")).ToList();
            extraTokens = additional;
        }
        var decoder = new TokenizerFiles.OrderedDecoder();
        for (var i = 0; i < extraTokens.Count; i++)
        {
            decoder.Set(pieces.Count - 1 + extraIds - i, new AddedTokenInfo($"<extra_id_{i}>", LStrip: true, RStrip: true));
        }
        foreach (var (id, token) in files.Decoder)
        {
            decoder.Set(id, token);
        }
        var decoderItems = decoder.Items();
        var decoderById = decoderItems.ToDictionary(d => d.Item1, d => d.Item2.Content);
        var added = AddedTokens.Build(decoderItems, files.SpecialTokensInOrder(null, eos, unk, pad, additional), baseVocab =>
        {
            // get_vocab(): {convert_ids_to_tokens(i): i for i in range(len(sp))}, added contents taking their ids' place.
            for (var i = 0; i < pieces.Count; i++)
            {
                baseVocab[decoderById.TryGetValue(i, out var content) ? content : pieces[i]] = i;
            }
        });

        int? Id(AddedTokenInfo? t) => t is null ? null : added.TryGetId(t.Content, out var id) ? id : null;
        var eosId = Id(eos) ?? throw files.Error("eos_token", "a T5 tokenizer needs an eos token");
        return new T5Tokenizer(sp, model.Normalization, added, eosId, Id(pad), Id(unk) ?? sp.UnknownId, files.ModelMaxLength());
    }

    /// <summary><c>tokenizer_3.tokenize(prompt)</c>: SentencePiece pieces (runs of unknown characters merged) and added tokens.</summary>
    public IReadOnlyList<string> Tokenize(string prompt) => TokenizeWithIds(prompt).Select(t => t.Token).ToList();

    /// <summary><c>tokenizer_3(prompt).input_ids</c>: the content ids, then eos unless they already end with it.</summary>
    public int[] Encode(string prompt) => WithEos(ContentIds(prompt));

    /// <summary>
    /// The ids SD3's pipeline feeds T5: <c>tokenizer_3(prompt, padding="max_length", max_length=maxLength,
    /// truncation=True, add_special_tokens=True).input_ids</c> = the first maxLength − 1 content ids, eos (unless they
    /// already end with it), then the pad id up to maxLength.
    /// </summary>
    public int[] EncodePadded(string prompt, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var content = ContentIds(prompt);
        var ids = WithEos(content.Take(maxLength - 1).ToList());
        if (ids.Length == maxLength)
        {
            return ids;
        }
        var padded = new int[maxLength];
        ids.CopyTo(padded, 0);
        Array.Fill(padded, PadTokenId, ids.Length, maxLength - ids.Length);
        return padded;
    }

    private int[] WithEos(List<int> ids) => ids.Count > 0 && ids[^1] == EosTokenId ? [.. ids] : [.. ids, EosTokenId];

    private List<int> ContentIds(string prompt) => TokenizeWithIds(prompt).Select(t => t.Id).ToList();

    private List<(string Token, int Id)> TokenizeWithIds(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var result = new List<(string, int)>();
        foreach (var chunk in _added.Split(prompt))
        {
            if (_added.TryGetId(chunk, out var addedId))
            {
                result.Add((chunk, addedId));
                continue;
            }
            // sentencepiece merges each run of unknown pieces into one (its surface text), and transformers then maps
            // every piece string back to an id: added tokens first, then piece_to_id (unknown text → unk).
            var pieces = new List<(string Piece, bool Unknown, int Id)>();
            var normalized = _normalization.Normalize(chunk);
            if (normalized.Length == 0)
            {
                continue;
            }
            foreach (var token in _sp.EncodeToTokens(normalized, out _, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: false, considerNormalization: false))
            {
                var unknown = token.Id == _sp.UnknownId;
                if (unknown && pieces.Count > 0 && pieces[^1].Unknown)
                {
                    pieces[^1] = (pieces[^1].Piece + token.Value, true, token.Id);
                }
                else
                {
                    pieces.Add((token.Value, unknown, token.Id));
                }
            }
            foreach (var (piece, unknown, id) in pieces)
            {
                var mapped = _added.TryGetId(piece, out var a) ? a
                    : unknown ? (_sp.Vocabulary.TryGetValue(piece, out var v) ? v : UnkTokenId)
                    : id;
                result.Add((piece, mapped));
            }
        }
        return result;
    }

    /// <summary>
    /// The Unigram model of a <c>tokenizer.json</c> in the layout <c>T5TokenizerFast</c> saves: <c>model</c> Unigram
    /// (<c>vocab</c>, <c>unk_id</c>, no byte fallback), a <c>Precompiled</c> normaliser (alone or in a Sequence with
    /// whitespace clean-up), and a <c>Metaspace</c> pre-tokenizer (▁, prefix always; optionally after
    /// <c>WhitespaceSplit</c>). It is encoded with the same rules as <c>spiece.model</c>; any other layout is an error.
    /// </summary>
    private static UnigramModel ReadTokenizerJson(string path)
    {
        using var doc = TokenizerFiles.ParseJson(path);
        var root = doc.RootElement;
        InvalidDataException Unsupported(string what) =>
            new($"{path}: {what}; FlowTune's T5 tokenizer reads only the Unigram layout T5TokenizerFast writes");
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object
            || !model.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Unigram")
        {
            throw Unsupported("model.type is not \"Unigram\"");
        }
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array)
        {
            throw Unsupported("model.vocab is not a list");
        }
        var pieces = new List<(string, float)>();
        foreach (var e in vocab.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String || e[1].ValueKind != JsonValueKind.Number)
            {
                throw Unsupported($"model.vocab entry {e.GetRawText()} is not [piece, score]");
            }
            pieces.Add((e[0].GetString()!, e[1].GetSingle()));
        }
        if (!model.TryGetProperty("unk_id", out var unk) || !unk.TryGetInt32(out var unkId) || unkId < 0 || unkId >= pieces.Count)
        {
            throw Unsupported("model.unk_id is not an id of model.vocab");
        }
        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True)
        {
            throw Unsupported("model.byte_fallback is set");
        }

        byte[] charsmap = [];
        void Normalizer(JsonElement n)
        {
            var kind = n.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (kind)
            {
                case "Precompiled" when n.TryGetProperty("precompiled_charsmap", out var m):
                    charsmap = m.ValueKind == JsonValueKind.Null ? [] : Convert.FromBase64String(m.GetString() ?? "");
                    break;
                case "Sequence" when n.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array:
                    foreach (var item in list.EnumerateArray())
                    {
                        Normalizer(item);
                    }
                    break;
                case "Strip":
                    break; // whitespace at the ends is removed anyway
                case "Replace" when n.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex)
                                    && regex.GetString() == " {2,}" && n.TryGetProperty("content", out var content) && content.GetString() == " ":
                    break; // runs of spaces collapse anyway
                default:
                    throw Unsupported($"normalizer {n.GetRawText()} is not supported");
            }
        }
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            try
            {
                Normalizer(normalizer);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}: precompiled_charsmap is not base64", e);
            }
        }
        void PreTokenizer(JsonElement n)
        {
            var kind = n.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (kind)
            {
                case "WhitespaceSplit":
                    break;
                case "Metaspace":
                    var replacement = n.TryGetProperty("replacement", out var r) ? r.GetString() : "\u2581";
                    var always = n.TryGetProperty("prepend_scheme", out var scheme)
                        ? scheme.GetString() == "always"
                        : !n.TryGetProperty("add_prefix_space", out var prefix) || prefix.ValueKind == JsonValueKind.True;
                    if (replacement != "\u2581" || !always)
                    {
                        throw Unsupported($"pre_tokenizer {n.GetRawText()} is not Metaspace(\"\u2581\", prepend always)");
                    }
                    break;
                case "Sequence" when n.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array:
                    foreach (var item in list.EnumerateArray())
                    {
                        PreTokenizer(item);
                    }
                    break;
                default:
                    throw Unsupported($"pre_tokenizer {n.GetRawText()} is not supported");
            }
        }
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
        {
            throw Unsupported("it has no Metaspace pre_tokenizer");
        }
        PreTokenizer(pre);
        var normalization = new SentencePieceNormalization(path, charsmap, addDummyPrefix: true, escapeWhitespaces: true, removeExtraWhitespaces: true, treatWhitespaceAsSuffix: false);
        return new UnigramModel(path, pieces, unkId, normalization);
    }
}
