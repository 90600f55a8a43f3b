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
