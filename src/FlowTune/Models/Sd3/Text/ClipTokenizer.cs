using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// transformers' slow <c>CLIPTokenizer</c> (as SD3's pipeline uses it for <c>tokenizer/</c> and <c>tokenizer_2/</c>, with
/// no <c>ftfy</c> installed), loaded from a transformers tokenizer folder: <c>vocab.json</c>, <c>merges.txt</c> and the
/// optional <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>. The steps, in transformers' order
/// (tools/sd3-text/README.md "CLIP tokenizer"):
/// <list type="number">
/// <item>added and special tokens (bos, eos, unk, pad, <c>added_tokens_decoder</c>) are split out of the raw text first,
/// longest match, case-sensitive; so a pad token <c>!</c> (CLIP-G) turns every <c>!</c> into the pad id;</item>
/// <item>each other chunk is cleaned like transformers' <c>BasicTokenizer</c>: control and format characters dropped,
/// whitespace made a space, spaces put around CJK ideographs, NFC, split on whitespace, each word lowercased (Python
/// <c>str.lower</c>), joined with single spaces;</item>
/// <item>pre-tokenised by CLIP's regex (<c>&lt;|startoftext|&gt;</c>, <c>&lt;|endoftext|&gt;</c>, contractions, letter
/// runs, single digits, runs of other characters);</item>
/// <item>each piece is byte-level BPE'd with <c>&lt;/w&gt;</c> on its last symbol, by merge rank (Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>); pieces equal to <c>&lt;|startoftext|&gt;</c> / <c>&lt;|endoftext|&gt;</c> stay whole;</item>
/// <item><see cref="Encode"/> adds bos/eos; <see cref="EncodePadded"/> truncates the content to max − 2 and pads on the
/// right with the pad id, as <c>tokenizer(prompt, padding="max_length", max_length=M, truncation=True)</c>.</item>
/// </list>
/// </summary>
public sealed class ClipTokenizer
{
    /// <summary>transformers reads at most this many merges (49152 − 256 − 2) after the first line of <c>merges.txt</c>.</summary>
    internal const int MaxMerges = 48894;

    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocab;
    private readonly AddedTokens _added;
    private readonly int? _padId;

    private ClipTokenizer(BpeTokenizer bpe, Dictionary<string, int> vocab, AddedTokens added, int bos, int eos, int? pad, int unk, int modelMaxLength)
    {
        _bpe = bpe;
        _vocab = vocab;
        _added = added;
        BosTokenId = bos;
        EosTokenId = eos;
        _padId = pad;
        UnkTokenId = unk;
        ModelMaxLength = modelMaxLength;
    }

    /// <summary>Id of the bos token (<c>&lt;|startoftext|&gt;</c>, 49406 in real CLIP).</summary>
    public int BosTokenId { get; }

    /// <summary>Id of the eos token (<c>&lt;|endoftext|&gt;</c>, 49407 in real CLIP).</summary>
    public int EosTokenId { get; }

    /// <summary>Id of the pad token (eos for CLIP-L, <c>!</c> = 0 for SD3's CLIP-G); throws when <c>pad_token</c> is null.</summary>
    public int PadTokenId => _padId ?? throw new InvalidOperationException("this CLIP tokenizer has no pad token (pad_token is null)");

    /// <summary>Id given to a BPE symbol missing from the vocabulary (the unk token, <c>&lt;|endoftext|&gt;</c>).</summary>
    public int UnkTokenId { get; }

    /// <summary><c>model_max_length</c> of <c>tokenizer_config.json</c> (77 for SD3; <see cref="int.MaxValue"/> when absent or larger).</summary>
    public int ModelMaxLength { get; }

    /// <summary>
    /// Loads a transformers CLIP tokenizer folder. <c>vocab.json</c> and <c>merges.txt</c> are required (a missing one is
    /// a <see cref="FileNotFoundException"/> naming it); <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>
    /// are read as transformers reads them (the latter only when the former has no <c>added_tokens_decoder</c>).
    /// </summary>
    public static ClipTokenizer FromPretrained(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var vocabPath = Path.Combine(folder, "vocab.json");
        var mergesPath = Path.Combine(folder, "merges.txt");
        RequireFile(vocabPath, "CLIP tokenizer vocabulary");
        RequireFile(mergesPath, "CLIP tokenizer merges");

        var vocab = ReadVocab(vocabPath);
        var merges = ReadMerges(mergesPath, vocab);
        var files = TokenizerFiles.Load(folder, "CLIP tokenizer", ["CLIPTokenizer", "CLIPTokenizerFast"]);

        var bos = files.SpecialToken("bos_token", StartOfText) ?? throw files.Error("bos_token", "a CLIP tokenizer needs a bos token");
        var eos = files.SpecialToken("eos_token", EndOfText) ?? throw files.Error("eos_token", "a CLIP tokenizer needs an eos token");
        var unk = files.SpecialToken("unk_token", EndOfText);
        var pad = files.SpecialToken("pad_token", EndOfText);

        // get_vocab() = encoder ∪ added tokens; special tokens missing from both get the next ids.
        var added = AddedTokens.Build(files.Decoder, files.SpecialTokensInOrder(bos, eos, unk, pad), baseVocab =>
        {
            foreach (var (token, id) in vocab)
            {
                baseVocab[token] = id;
            }
        });

        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = true,
                EndOfWordSuffix = "</w>",
                UnknownToken = unk is not null && vocab.ContainsKey(unk.Content) ? unk.Content : null,
            });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{mergesPath}: Microsoft.ML.Tokenizers rejects the vocabulary/merges pair: {e.Message}", e);
        }

        int? Id(AddedTokenInfo? t) => t is null ? null : added.TryGetId(t.Content, out var id) ? id : vocab.TryGetValue(t.Content, out var v) ? v : null;
        var unkId = Id(unk) ?? throw files.Error("unk_token", "the unk token must be in vocab.json");
        var bosId = Id(bos) ?? throw files.Error("bos_token", "the bos token must be a non-empty token");
        var eosId = Id(eos) ?? throw files.Error("eos_token", "the eos token must be a non-empty token");
        return new ClipTokenizer(bpe, vocab, added, bosId, eosId, Id(pad), unkId, files.ModelMaxLength());
    }

    /// <summary><c>tokenizer.tokenize(prompt)</c>: the pieces (byte-level symbols with <c>&lt;/w&gt;</c>, and added tokens), no bos/eos.</summary>
    public IReadOnlyList<string> Tokenize(string prompt) => TokenizeWithIds(prompt).Select(t => t.Token).ToList();

    /// <summary><c>tokenizer(prompt).input_ids</c>: bos + content ids + eos, neither truncated nor padded.</summary>
    public int[] Encode(string prompt) => [BosTokenId, .. ContentIds(prompt), EosTokenId];

    /// <summary>
    /// The ids SD3's pipeline feeds the encoder: <c>tokenizer(prompt, padding="max_length", max_length=maxLength,
    /// truncation=True).input_ids</c> = bos + the first maxLength − 2 content ids + eos, right-padded with the pad id.
    /// </summary>
    public int[] EncodePadded(string prompt, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var content = ContentIds(prompt);
        var ids = new int[maxLength];
        var n = Math.Min(content.Count, maxLength - 2);
        ids[0] = BosTokenId;
        content.CopyTo(0, ids, 1, n);
        ids[n + 1] = EosTokenId;
        if (n + 2 < maxLength)
        {
            Array.Fill(ids, PadTokenId, n + 2, maxLength - n - 2);
        }
        return ids;
    }

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
            foreach (var piece in PreTokenize(BasicClean(chunk)))
            {
                if (piece is StartOfText or EndOfText)
                {
                    // CLIPTokenizer's BPE cache holds these two unchanged (no </w>).
                    result.Add((piece, TokenId(piece, null)));
                    continue;
                }
                foreach (var token in _bpe.EncodeToTokens(piece, out _, considerPreTokenization: false, considerNormalization: false))
                {
                    result.Add((token.Value, TokenId(token.Value, token.Id)));
                }
            }
        }
        return result;
    }

    // convert_tokens_to_ids: added tokens first, then vocab.json, then unk.
    private int TokenId(string token, int? bpeId) =>
        _added.TryGetId(token, out var id) ? id : _vocab.TryGetValue(token, out var v) ? v : bpeId ?? UnkTokenId;

    /// <summary>
    /// transformers' <c>BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False)</c> joined with
    /// spaces: drop NUL, U+FFFD and categories C* except \t\n\r; whitespace (\t\n\r, space, Zs) → space; spaces around
    /// CJK ideographs; NFC; split on Python whitespace; Python-lowercase each word.
    /// </summary>
    internal static string BasicClean(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var (rune, valid) in Runes(text))
        {
            if (!valid)
            {
                continue; // a lone surrogate: category Cs
            }
            var cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune))
            {
                continue;
            }
            if (cp is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator)
            {
                sb.Append(' ');
            }
            else if (IsCjk(cp))
            {
                sb.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
        var normalized = sb.ToString().Normalize(NormalizationForm.FormC);
        var words = PySplit(normalized).Select(PyLower);
        return string.Join(' ', words);
    }

    /// <summary>
    /// <c>re.findall</c> of CLIP's pattern (IGNORECASE)
    /// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>, written
    /// over code points (.NET's Regex sees UTF-16 units, so astral letters and digits would split differently), with
    /// the case-insensitive quirks of Python's regex module: <c>'ſ</c> is a contraction, U+0345 matches nothing.
    /// </summary>
    internal static List<string> PreTokenize(string text)
    {
        var pieces = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var (rune, len) = RuneAt(text, i);
            var special = MatchFolded(text, i, StartOfText) ? StartOfText.Length : MatchFolded(text, i, EndOfText) ? EndOfText.Length : 0;
            if (special > 0)
            {
                pieces.Add(text.Substring(i, special));
                i += special;
                continue;
            }
            if (text[i] == '\'')
            {
                var contraction = Contractions.FirstOrDefault(c => MatchFolded(text, i, c));
                if (contraction is not null)
                {
                    pieces.Add(text.Substring(i, contraction.Length));
                    i += contraction.Length;
                    continue;
                }
            }
            if (IsLetter(rune))
            {
                var start = i;
                while (i < text.Length && RuneAt(text, i) is var (r, l) && IsLetter(r))
                {
                    i += l;
                }
                pieces.Add(text[start..i]);
            }
            else if (IsNumber(rune))
            {
                pieces.Add(text.Substring(i, len));
                i += len;
            }
            else if (IsRegexSpace(rune))
            {
                i += len;
            }
            else
            {
                var start = i;
                while (i < text.Length && RuneAt(text, i) is var (r, l) && !IsLetter(r) && !IsNumber(r) && !IsRegexSpace(r))
                {
                    i += l;
                }
                pieces.Add(text[start..i]);
            }
        }
        return pieces;
    }

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    // The regex module's IGNORECASE uses simple case folding; for the ASCII letters of the pattern the only non-ASCII
    // equivalent is U+017F (long s) for 's'.
    private static bool MatchFolded(string text, int at, string pattern)
    {
        if (at + pattern.Length > text.Length)
        {
            return false;
        }
        for (var k = 0; k < pattern.Length; k++)
        {
            var c = text[at + k];
            var p = pattern[k];
            if (c != p && !(char.IsAsciiLetter(p) && (char.ToLowerInvariant(c) == p || (p == 's' && c == '\u017F'))))
            {
                return false;
            }
        }
        return true;
    }

    private static (Rune Rune, int Length) RuneAt(string text, int i) =>
        Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var len) == System.Buffers.OperationStatus.Done
            ? (rune, len)
            : (new Rune(0xFFFD), 1);

    private static IEnumerable<(Rune Rune, bool Valid)> Runes(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var len);
            yield return (rune, status == System.Buffers.OperationStatus.Done);
            i += Math.Max(len, 1);
        }
    }

    private static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r')
        {
            return false;
        }
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    private static bool IsLetter(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    private static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
        or UnicodeCategory.OtherNumber;

    // Characters no alternative matches, which re.findall skips: \s (Unicode White_Space), and U+0345 (combining
    // ypogegrammeni), whose case variants are letters, so under IGNORECASE the regex module excludes it from
    // [^\s\p{L}\p{N}] without counting it a letter (checked over every code point against regex 2022.10.31).
    private static bool IsRegexSpace(Rune r) => r.Value is 0x345 or (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
        or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary>Python <c>str.isspace</c> for one UTF-16 unit (what <c>str.split()</c> and <c>str.strip()</c> use).</summary>
    internal static bool PyIsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1C' and <= '\x1F';

    /// <summary>Python <c>str.split()</c> with no separator: runs of whitespace separate, ends are dropped.</summary>
    internal static List<string> PySplit(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var space = i == text.Length || PyIsSpace(text[i]);
            if (space && start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
            else if (!space && start < 0)
            {
                start = i;
            }
        }
        return words;
    }

    /// <summary>
    /// Python <c>str.lower</c>: Unicode's simple lowercase mapping, plus its two differences from it: U+0130 (İ) becomes
    /// "i̇" (i + U+0307), and Σ becomes final ς after a cased letter when no cased letter follows (case-ignorable
    /// characters skipped on both sides).
    /// </summary>
    internal static string PyLower(string word)
    {
        var runes = Runes(word).Where(r => r.Valid).Select(r => r.Rune).ToArray();
        var sb = new StringBuilder(word.Length);
        for (var i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x130)
            {
                sb.Append("i\u0307");
            }
            else if (r.Value == 0x3A3)
            {
                sb.Append(IsFinalSigma(runes, i) ? '\u03C2' : '\u03C3');
            }
            else
            {
                sb.Append(Rune.ToLowerInvariant(r).ToString());
            }
        }
        return sb.ToString();
    }

    private static bool IsFinalSigma(Rune[] runes, int i)
    {
        var j = i - 1;
        while (j >= 0 && IsCaseIgnorable(runes[j]))
        {
            j--;
        }
        if (j < 0 || !IsCased(runes[j]))
        {
            return false;
        }
        j = i + 1;
        while (j < runes.Length && IsCaseIgnorable(runes[j]))
        {
            j++;
        }
        return j == runes.Length || !IsCased(runes[j]);
    }

    // Unicode's Cased: Lu, Ll, Lt and the Other_Lowercase / Other_Uppercase characters that are not case-ignorable
    // (ª, º, Roman numerals, circled and squared letters); checked over every code point against Python 3.11.
    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter
        || r.Value is 0xAA or 0xBA or (>= 0x2160 and <= 0x217F) or (>= 0x24B6 and <= 0x24E9) or (>= 0x1F130 and <= 0x1F149)
            or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);

    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: {what} file not found", path);
        }
    }

    private static Dictionary<string, int> ReadVocab(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path}: expected a JSON object of token → id");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: expected a JSON object of token → id: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads merges as CLIPTokenizer does: the file stripped, its first line (<c>#version</c>) skipped, at most
    /// <see cref="MaxMerges"/> lines, each split on whitespace; a repeated pair keeps its last rank. Merges that can
    /// never fire (a part that no byte symbol or earlier merge produces) are dropped, which changes nothing; a merge
    /// that can fire but whose parts or result are not in <c>vocab.json</c> is an error, because
    /// Microsoft.ML.Tokenizers cannot represent it (transformers would map the result to unk).
    /// </summary>
    private static List<string> ReadMerges(string path, Dictionary<string, int> vocab)
    {
        var lines = PyStrip(File.ReadAllText(path)).Split('\n');
        var rank = new Dictionary<(string, string), int>();
        for (var i = 1; i < lines.Length && i <= MaxMerges; i++)
        {
            var parts = PySplit(lines[i]);
            if (parts.Count == 2)
            {
                rank[(parts[0], parts[1])] = i;
            }
        }
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in ByteLevelAlphabet())
        {
            reachable.Add(c);
            reachable.Add(c + "</w>");
        }
        var merges = new List<string>();
        foreach (var ((a, b), line) in rank.OrderBy(kv => kv.Value))
        {
            if (!reachable.Contains(a) || !reachable.Contains(b))
            {
                continue;
            }
            foreach (var symbol in new[] { a, b, a + b })
            {
                if (!vocab.ContainsKey(symbol))
                {
                    throw new InvalidDataException($"{path}: line {line + 1} (\"{a} {b}\"): symbol \"{symbol}\" is not in vocab.json (FlowTune supports only merges consistent with the vocabulary)");
                }
            }
            reachable.Add(a + b);
            merges.Add($"{a} {b}");
        }
        return merges;
    }

    /// <summary>The 256 characters of GPT-2's <c>bytes_to_unicode</c>.</summary>
    private static IEnumerable<string> ByteLevelAlphabet()
    {
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
            yield return ((char)(printable ? b : 256 + n++)).ToString();
        }
    }

    /// <summary>Python <c>str.strip()</c>.</summary>
    internal static string PyStrip(string s) => PyLStrip(PyRStrip(s));

    /// <summary>Python <c>str.lstrip()</c>.</summary>
    internal static string PyLStrip(string s)
    {
        var i = 0;
        while (i < s.Length && PyIsSpace(s[i]))
        {
            i++;
        }
        return s[i..];
    }

    /// <summary>Python <c>str.rstrip()</c>.</summary>
    internal static string PyRStrip(string s)
    {
        var i = s.Length;
        while (i > 0 && PyIsSpace(s[i - 1]))
        {
            i--;
        }
        return s[..i];
    }
}

/// <summary>One transformers <c>AddedToken</c>: its text and how it eats neighbouring whitespace.</summary>
internal sealed record AddedTokenInfo(string Content, bool LStrip = false, bool RStrip = false, bool SingleWord = false);

/// <summary>
/// The added tokens of a slow transformers tokenizer (<c>_added_tokens_encoder</c>) and its trie split
/// (<c>PreTrainedTokenizer.tokenize</c>): leftmost-longest, case-sensitive matches are cut out of the text, then each
/// match's <c>rstrip</c> / <c>lstrip</c> strips whitespace off the neighbouring chunks and <c>single_word</c> glues a
/// match that touches a word back onto it. Shared by <see cref="ClipTokenizer"/> and <see cref="T5Tokenizer"/>.
/// </summary>
internal sealed class AddedTokens
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddedTokenInfo> _info = new(StringComparer.Ordinal);
    private readonly Node _root = new();

    /// <summary>Content → id.</summary>
    public IReadOnlyDictionary<string, int> Ids => _ids;

    /// <summary>
    /// The added tokens as transformers builds them: the decoder entries in order (a repeated content keeps its last
    /// id), then each special token not yet among them, with its id in the tokenizer's <c>get_vocab()</c> (the base
    /// vocabulary that <paramref name="fillBaseVocab"/> writes, overlaid with the added tokens) or else the next free id.
    /// </summary>
    public static AddedTokens Build(IEnumerable<(int Id, AddedTokenInfo Token)> decoder, IEnumerable<AddedTokenInfo> specialTokens, Action<Dictionary<string, int>> fillBaseVocab)
    {
        var added = new AddedTokens();
        foreach (var (id, token) in decoder)
        {
            added.Set(token, id);
        }
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        fillBaseVocab(vocab);
        foreach (var (content, id) in added._ids)
        {
            vocab[content] = id;
        }
        var next = vocab.Count;
        foreach (var token in specialTokens)
        {
            if (token.Content.Length == 0 || added._ids.ContainsKey(token.Content))
            {
                continue;
            }
            if (!vocab.TryGetValue(token.Content, out var id))
            {
                id = next++;
                vocab[token.Content] = id;
            }
            added.Set(token, id);
        }
        return added;
    }

    /// <summary>The id of added token <paramref name="content"/>.</summary>
    public bool TryGetId(string content, out int id) => _ids.TryGetValue(content, out id);

    private void Set(AddedTokenInfo token, int id)
    {
        _ids[token.Content] = id;
        _info[token.Content] = token;
        var node = _root;
        foreach (var c in token.Content)
        {
            if (!node.Next.TryGetValue(c, out var child))
            {
                child = new Node();
                node.Next[c] = child;
            }
            node = child;
        }
        node.End = true;
    }

    /// <summary>The non-empty chunks of <paramref name="text"/>; a chunk equal to an added token's content is that token.</summary>
    public List<string> Split(string text)
    {
        var tokens = new List<string>();
        int last = 0, i = 0;
        while (i < text.Length)
        {
            var best = 0;
            var node = _root;
            for (var j = i; j < text.Length && node.Next.TryGetValue(text[j], out var child); j++)
            {
                node = child;
                if (node.End)
                {
                    best = j - i + 1;
                }
            }
            if (best == 0)
            {
                i++;
                continue;
            }
            if (i > last)
            {
                tokens.Add(text[last..i]);
            }
            tokens.Add(text.Substring(i, best));
            i += best;
            last = i;
        }
        if (last < text.Length)
        {
            tokens.Add(text[last..]);
        }

        // transformers' loop, element by element, as the list is being changed.
        for (var k = 0; k < tokens.Count; k++)
        {
            var token = tokens[k];
            if (!_info.TryGetValue(token, out var info))
            {
                continue;
            }
            var left = k > 0 ? tokens[k - 1] : null;
            var right = k < tokens.Count - 1 ? tokens[k + 1] : null;
            if (info.RStrip && !string.IsNullOrEmpty(right))
            {
                tokens[k + 1] = ClipTokenizer.PyLStrip(right);
            }
            if (info.LStrip && !string.IsNullOrEmpty(left))
            {
                tokens[k - 1] = ClipTokenizer.PyRStrip(left);
            }
            if (info.SingleWord && !string.IsNullOrEmpty(left) && left[^1] != ' ')
            {
                tokens[k - 1] += token;
                tokens[k] = "";
            }
            else if (info.SingleWord && !string.IsNullOrEmpty(right) && right[0] != ' ')
            {
                tokens[k + 1] = token + tokens[k + 1];
                tokens[k] = "";
            }
        }
        return tokens.Where(t => t.Length > 0).ToList();
    }

    private sealed class Node
    {
        public Dictionary<char, Node> Next { get; } = [];

        public bool End { get; set; }
    }
}

/// <summary>
/// What transformers' <c>from_pretrained</c> makes of a tokenizer folder's JSON files: <c>tokenizer_config.json</c>'s
/// init arguments; when it has <c>added_tokens_decoder</c>, that and nothing else; otherwise (older folders) the values
/// of <c>special_tokens_map.json</c> override, and the added tokens come from <c>added_tokens.json</c> and
/// <c>tokenizer.json</c>'s <c>added_tokens</c>. Fields that would change the ids in ways FlowTune does not implement
/// (padding/truncation side, split_special_tokens, an unknown tokenizer class) are errors; the rest are bookkeeping.
/// </summary>
internal sealed class TokenizerFiles
{
    private static readonly string[] SpecialKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    private readonly Dictionary<string, JsonElement> _kwargs;

    private TokenizerFiles(string configPath, Dictionary<string, JsonElement> kwargs, List<(int, AddedTokenInfo)> decoder)
    {
        ConfigPath = configPath;
        _kwargs = kwargs;
        Decoder = decoder;
    }

    /// <summary><c>tokenizer_config.json</c>'s path (named in errors; the file may be absent).</summary>
    public string ConfigPath { get; }

    /// <summary>The added-token decoder in transformers' order.</summary>
    public List<(int Id, AddedTokenInfo Token)> Decoder { get; }

    /// <summary>Reads the folder; <paramref name="classes"/> are the accepted <c>tokenizer_class</c> values.</summary>
    public static TokenizerFiles Load(string folder, string what, IReadOnlyList<string> classes)
    {
        var configPath = Path.Combine(folder, "tokenizer_config.json");
        var kwargs = File.Exists(configPath) ? ReadObject(configPath) : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var decoder = new OrderedDecoder();
        if (kwargs.TryGetValue("added_tokens_decoder", out var dec) && dec.ValueKind != JsonValueKind.Null)
        {
            if (dec.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{configPath}: added_tokens_decoder: expected an object of id → token");
            }
            foreach (var p in dec.EnumerateObject())
            {
                if (!int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    throw new InvalidDataException($"{configPath}: added_tokens_decoder: \"{p.Name}\" is not an id");
                }
                decoder.Set(id, ParseToken(p.Value, configPath, "added_tokens_decoder") ?? throw new InvalidDataException($"{configPath}: added_tokens_decoder.{p.Name}: null"));
            }
        }
        else
        {
            var mapPath = Path.Combine(folder, "special_tokens_map.json");
            if (File.Exists(mapPath))
            {
                foreach (var (key, value) in ReadObject(mapPath))
                {
                    if (key == "additional_special_tokens" && value.ValueKind == JsonValueKind.Array)
                    {
                        var merged = ReadTokenList(kwargs, configPath).ToList();
                        merged.AddRange(value.EnumerateArray().Select(v => ParseToken(v, mapPath, key)!).Where(t => t is not null && merged.All(m => m.Content != t.Content)));
                        kwargs[key] = JsonSerializer.SerializeToElement(merged.Select(t => new { content = t.Content, lstrip = t.LStrip, rstrip = t.RStrip, single_word = t.SingleWord }));
                    }
                    else
                    {
                        kwargs[key] = value.Clone();
                    }
                }
            }
            var addedPath = Path.Combine(folder, "added_tokens.json");
            if (File.Exists(addedPath))
            {
                foreach (var (content, id) in ReadObject(addedPath))
                {
                    if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var v))
                    {
                        throw new InvalidDataException($"{addedPath}: \"{content}\": expected an integer id");
                    }
                    decoder.Set(v, new AddedTokenInfo(content));
                }
            }
            var fastPath = Path.Combine(folder, "tokenizer.json");
            if (File.Exists(fastPath))
            {
                using var doc = ParseJson(fastPath);
                if (doc.RootElement.TryGetProperty("added_tokens", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var t in list.EnumerateArray())
                    {
                        if (!t.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out var id))
                        {
                            throw new InvalidDataException($"{fastPath}: added_tokens: an entry without an integer id");
                        }
                        decoder.Set(id, ParseToken(t, fastPath, "added_tokens")!);
                    }
                }
            }
        }

        var files = new TokenizerFiles(configPath, kwargs, decoder.Items());
        var cls = files.String("tokenizer_class");
        if (cls is not null && !classes.Contains(cls))
        {
            throw files.Error("tokenizer_class", $"FlowTune's {what} reads only {string.Join(" / ", classes)}");
        }
        foreach (var side in new[] { "padding_side", "truncation_side" })
        {
            var v = files.String(side);
            if (v is not null && v != "right")
            {
                throw files.Error(side, "FlowTune pads and truncates on the right only, as SD3's tokenizers do");
            }
        }
        if (kwargs.TryGetValue("split_special_tokens", out var split) && split.ValueKind == JsonValueKind.True)
        {
            throw files.Error("split_special_tokens", "FlowTune always splits added tokens out first (transformers' default)");
        }
        return files;
    }

    /// <summary>The raw init argument <paramref name="name"/>, if present and not null.</summary>
    public JsonElement? Field(string name) => _kwargs.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    /// <summary>A string init argument (null when absent or null).</summary>
    public string? String(string name)
    {
        var e = Field(name);
        if (e is null)
        {
            return null;
        }
        return e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString() : throw Error(name, "expected a string");
    }

    /// <summary>Special token <paramref name="key"/>: <paramref name="fallback"/> when absent, null when set to null.</summary>
    public AddedTokenInfo? SpecialToken(string key, string? fallback)
    {
        if (!_kwargs.TryGetValue(key, out var e))
        {
            return fallback is null ? null : new AddedTokenInfo(fallback);
        }
        return ParseToken(e, ConfigPath, key);
    }

    /// <summary><c>additional_special_tokens</c> (empty when absent).</summary>
    public List<AddedTokenInfo> AdditionalSpecialTokens() => ReadTokenList(_kwargs, ConfigPath).ToList();

    /// <summary>True when init argument <paramref name="name"/> is present (even if null).</summary>
    public bool Has(string name) => _kwargs.ContainsKey(name);

    /// <summary>
    /// transformers' <c>all_special_tokens_extended</c> order: bos, eos, unk, sep, pad, cls, mask (those set), then the
    /// additional special tokens; each content once.
    /// </summary>
    public List<AddedTokenInfo> SpecialTokensInOrder(AddedTokenInfo? bos, AddedTokenInfo? eos, AddedTokenInfo? unk, AddedTokenInfo? pad, IEnumerable<AddedTokenInfo>? additional = null)
    {
        var byKey = new Dictionary<string, AddedTokenInfo?> { ["bos_token"] = bos, ["eos_token"] = eos, ["unk_token"] = unk, ["pad_token"] = pad };
        var list = new List<AddedTokenInfo>();
        foreach (var key in SpecialKeys)
        {
            var t = byKey.TryGetValue(key, out var given) ? given : SpecialToken(key, null);
            if (t is not null)
            {
                list.Add(t);
            }
        }
        list.AddRange(additional ?? AdditionalSpecialTokens());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return list.Where(t => seen.Add(t.Content)).ToList();
    }

    /// <summary><c>model_max_length</c>; <see cref="int.MaxValue"/> when absent (transformers' 1e30) or beyond int.</summary>
    public int ModelMaxLength()
    {
        var e = Field("model_max_length");
        if (e is null)
        {
            return int.MaxValue;
        }
        if (e.Value.ValueKind != JsonValueKind.Number || e.Value.GetDouble() < 1)
        {
            throw Error("model_max_length", "expected a positive number");
        }
        return e.Value.TryGetInt32(out var v) ? v : int.MaxValue;
    }

    /// <summary>An error naming the config file and field.</summary>
    public InvalidDataException Error(string field, string message)
    {
        var shown = _kwargs.TryGetValue(field, out var e) ? e.GetRawText() : "(absent)";
        return new InvalidDataException($"{ConfigPath}: {field}: {shown}: {message}");
    }

    private static IEnumerable<AddedTokenInfo> ReadTokenList(Dictionary<string, JsonElement> kwargs, string path)
    {
        if (!kwargs.TryGetValue("additional_special_tokens", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: additional_special_tokens: expected a list");
        }
        return e.EnumerateArray().Select(v => ParseToken(v, path, "additional_special_tokens")).OfType<AddedTokenInfo>().ToList();
    }

    /// <summary>A token written as a string or as a serialised <c>AddedToken</c> object; null for JSON null.</summary>
    internal static AddedTokenInfo? ParseToken(JsonElement e, string path, string field)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new AddedTokenInfo(e.GetString()!);
            case JsonValueKind.Object when e.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String:
                bool Flag(string name) => e.TryGetProperty(name, out var f) && f.ValueKind == JsonValueKind.True;
                return new AddedTokenInfo(c.GetString()!, Flag("lstrip"), Flag("rstrip"), Flag("single_word"));
            default:
                throw new InvalidDataException($"{path}: {field}: {e.GetRawText()}: expected a token string or an object with \"content\"");
        }
    }

    private static Dictionary<string, JsonElement> ReadObject(string path)
    {
        using var doc = ParseJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected a JSON object");
        }
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            result[p.Name] = p.Value.Clone();
        }
        return result;
    }

    internal static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>A Python dict of id → token: an updated key keeps its place.</summary>
    internal sealed class OrderedDecoder
    {
        private readonly List<int> _order = [];
        private readonly Dictionary<int, AddedTokenInfo> _tokens = [];

        public void Set(int id, AddedTokenInfo token)
        {
            if (!_tokens.ContainsKey(id))
            {
                _order.Add(id);
            }
            _tokens[id] = token;
        }

        public List<(int, AddedTokenInfo)> Items() => _order.Select(id => (id, _tokens[id])).ToList();
    }
}
