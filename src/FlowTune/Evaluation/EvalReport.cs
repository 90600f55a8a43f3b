using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>Accuracy of one tag.</summary>
public sealed record TagAccuracy(string Tag, double Accuracy, int Images, int Prompts);

/// <summary>One evaluated image (a line of results.jsonl).</summary>
/// <param name="Prompt">The prompt.</param>
/// <param name="Tag">Its GenEval tag.</param>
/// <param name="Sample">Index of the sample among the prompt's images.</param>
/// <param name="Correct">GenEval's strict verdict.</param>
/// <param name="Reward">The partial-credit reward.</param>
/// <param name="Reasons">Why the image failed (empty when correct), in the judge's words.</param>
public sealed record EvalImageResult(string Prompt, string Tag, int Sample, bool Correct, double Reward, IReadOnlyList<string> Reasons);

/// <summary>The result of an evaluation (written as eval.json).</summary>
public sealed record EvalReport(
    IReadOnlyList<TagAccuracy> Tags,
    double Overall,
    double MeanReward,
    int Images,
    double Seconds,
    double Diversity,
    EvalOptions Options)
{
    /// <summary>The per-tag table as text, overall last.</summary>
    public string Format() =>
        string.Join(Environment.NewLine, Tags.Select(t => FormattableString.Invariant($"{t.Tag,-14} {t.Accuracy,7:P1}  ({t.Images} images, {t.Prompts} prompts)")))
        + Environment.NewLine + FormattableString.Invariant($"{"overall",-14} {Overall,7:P1}  (mean of tags; mean reward {MeanReward:F3}; diversity {(double.IsNaN(Diversity) ? "n/a (1 image per prompt)" : Diversity.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))}; {Images} images in {Seconds:F0} s)");

    /// <summary>Accuracy of one tag (NaN when absent).</summary>
    public double Accuracy(GenEvalTag tag) => Tags.FirstOrDefault(t => t.Tag == GenEvalTags.Name(tag))?.Accuracy ?? double.NaN;
}
