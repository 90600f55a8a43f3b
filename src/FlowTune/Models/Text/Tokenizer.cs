using System.Text.RegularExpressions;
using FlowTune.Torch;

namespace FlowTune.Models.Text;

/// <summary>
/// A word-level tokenizer over a fixed vocabulary. Text is lower-cased and split into words; unknown words map to
/// <c>&lt;unk&gt;</c> (never an error). Every sequence starts with <c>&lt;bos&gt;</c>, so the empty prompt (the
/// unconditional branch of classifier-free guidance) is one token long and attention always has a key.
/// </summary>
public sealed partial class Tokenizer
{
    /// <summary>Padding id.</summary>
    public const int PadId = 0;

    /// <summary>Unknown-word id.</summary>
    public const int UnkId = 1;

    /// <summary>Begin-of-sequence id.</summary>
    public const int BosId = 2;

    private static readonly string[] Special = ["<pad>", "<unk>", "<bos>"];
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a tokenizer whose vocabulary is the special tokens followed by <paramref name="words"/>.</summary>
    public Tokenizer(IEnumerable<string> words, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        Vocabulary = Special.Concat(words.Select(w => w.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Where(w => !Special.Contains(w))).ToArray();
        _ids = Vocabulary.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
        MaxLength = maxLength;
    }

    /// <summary>Every token, by id.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Sequence length, &lt;bos&gt; included; longer prompts are truncated.</summary>
    public int MaxLength { get; }

    /// <summary>Splits text into lower-case words.</summary>
    public static IEnumerable<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    /// <summary>Token ids of one prompt, &lt;bos&gt; first, without padding.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new[] { BosId }.Concat(Words(text).Select(w => _ids.TryGetValue(w, out var id) ? id : UnkId)).Take(MaxLength).ToArray();
    }

    /// <summary>int64 ids [B, MaxLength], padded with <see cref="PadId"/>.</summary>
    public Tensor EncodeBatch(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var ids = new long[prompts.Count * MaxLength];
        for (var b = 0; b < prompts.Count; b++)
        {
            var row = Encode(prompts[b]);
            for (var k = 0; k < row.Length; k++)
            {
                ids[b * MaxLength + k] = row[k];
            }
        }
        return Tensor.FromArray(ids, prompts.Count, MaxLength);
    }

    [GeneratedRegex("[a-z0-9]+")]
    private static partial Regex WordPattern();
}
