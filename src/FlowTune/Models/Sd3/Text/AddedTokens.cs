using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FlowTune.Models.Sd3.Text;

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
