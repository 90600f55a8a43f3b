using FlowTune.Torch;

namespace FlowTune.Models.Text;

/// <summary>
/// How differently a text encoder encodes two prompts, token by token: the Euclidean distance between the output
/// tokens at each position and between the pooled vectors. A token that changes only where its own word changes
/// carries no context; e.g. if "cross" in "a red cross and a blue ring" and in "a blue cross and a red ring" is
/// encoded the same, the encoder does not bind colours to nouns.
/// </summary>
public static class TextEncodingDiff
{
    /// <summary>One token position of the comparison.</summary>
    /// <param name="TokenA">Token of prompt A at this position ("&lt;bos&gt;", a word, or "" past the end).</param>
    /// <param name="TokenB">Token of prompt B.</param>
    /// <param name="Distance">‖encoded A − encoded B‖ at this position.</param>
    public sealed record Row(string TokenA, string TokenB, double Distance);

    /// <summary>The comparison.</summary>
    /// <param name="Rows">Per position up to the longer prompt's end.</param>
    /// <param name="PooledDistance">‖pooled A − pooled B‖.</param>
    /// <param name="MeanTokenNorm">Mean norm of the encoded tokens of A (the scale the distances compare to).</param>
    public sealed record Result(IReadOnlyList<Row> Rows, double PooledDistance, double MeanTokenNorm);

    /// <summary>Encodes both prompts with <paramref name="encoder"/> and compares them.</summary>
    public static Result Compare(TextEncoder encoder, string promptA, string promptB)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        using var scope = TensorScope.Enter();
        using var text = encoder.Encode([promptA, promptB]);
        var width = (int)text.Tokens.Size(2);
        var length = (int)text.Tokens.Size(1);
        var tokens = text.Tokens.ToFloatArray();   // [2, L, D]
        var pooled = text.Pooled.ToFloatArray();   // [2, D]
        var wordsA = Words(promptA);
        var wordsB = Words(promptB);
        var used = Math.Min(length, Math.Max(wordsA.Count, wordsB.Count));
        var rows = new List<Row>();
        for (var k = 0; k < used; k++)
        {
            rows.Add(new Row(k < wordsA.Count ? wordsA[k] : "", k < wordsB.Count ? wordsB[k] : "",
                Distance(tokens, k * width, (length + k) * width, width)));
        }
        var norm = Enumerable.Range(0, Math.Min(length, wordsA.Count)).Average(k => Distance(tokens, k * width, -1, width));
        return new Result(rows, Distance(pooled, 0, width, width), norm);
    }

    private static List<string> Words(string prompt) => ["<bos>", .. Tokenizer.Words(prompt)];

    // ‖a[i..i+n] − a[j..j+n]‖, or ‖a[i..i+n]‖ when j < 0
    private static double Distance(float[] a, int i, int j, int n)
    {
        double sum = 0;
        for (var k = 0; k < n; k++)
        {
            double d = a[i + k] - (j < 0 ? 0 : a[j + k]);
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }
}
