namespace FlowTune.Worlds;

/// <summary>
/// Accumulates per-image correctness and reports GenEval's summary: accuracy per tag and the overall score, the
/// mean of the accuracies of the tags that occurred (GenEval <c>summary_scores.py</c>).
/// </summary>
public sealed class GenEvalAccuracy
{
    private readonly int[] _correct = new int[GenEvalTags.All.Count];
    private readonly int[] _total = new int[GenEvalTags.All.Count];

    /// <summary>Records one image.</summary>
    /// <param name="tag">The entry's tag.</param>
    /// <param name="correct">Whether it was correct.</param>
    public void Add(GenEvalTag tag, bool correct)
    {
        _total[(int)tag]++;
        if (correct)
        {
            _correct[(int)tag]++;
        }
    }

    /// <summary>Images recorded for a tag.</summary>
    /// <param name="tag">The tag.</param>
    public int Count(GenEvalTag tag) => _total[(int)tag];

    /// <summary>Accuracy of a tag, or NaN when it has no images.</summary>
    /// <param name="tag">The tag.</param>
    public double Accuracy(GenEvalTag tag) => _total[(int)tag] == 0 ? double.NaN : _correct[(int)tag] / (double)_total[(int)tag];

    /// <summary>Mean of the per-tag accuracies over tags with at least one image (NaN when empty).</summary>
    public double Overall
    {
        get
        {
            double[] present = GenEvalTags.All.Where(t => Count(t) > 0).Select(Accuracy).ToArray();
            return present.Length == 0 ? double.NaN : present.Average();
        }
    }

    /// <summary>A multi-line table "tag = 97.50% (39 / 40)" plus the overall score.</summary>
    public string Format() =>
        string.Join(Environment.NewLine, GenEvalTags.All.Where(t => Count(t) > 0).Select(t =>
            FormattableString.Invariant($"{GenEvalTags.Name(t),-14} = {Accuracy(t):P2} ({_correct[(int)t]} / {_total[(int)t]})"))
            .Append(FormattableString.Invariant($"{"overall",-14} = {Overall:F4}")));
}
