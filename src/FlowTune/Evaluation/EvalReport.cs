using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>Accuracy of one tag; <paramref name="Failures"/>: the share of the tag's images failing by each cause (absent in older reports).</summary>
public sealed record TagAccuracy(string Tag, double Accuracy, int Images, int Prompts, IReadOnlyDictionary<GenEvalFailure, double>? Failures = null);

/// <summary>One evaluated image (a line of results.jsonl).</summary>
/// <param name="Prompt">The prompt.</param>
/// <param name="Tag">Its GenEval tag.</param>
/// <param name="Sample">Index of the sample among the prompt's images.</param>
/// <param name="Correct">GenEval's strict verdict.</param>
/// <param name="Reward">The partial-credit reward.</param>
/// <param name="Reasons">Why the image failed (empty when correct), in the judge's words.</param>
/// <param name="Cause">The cause of the first failure.</param>
/// <param name="Causes">The cause of every failing clause (absent in older files).</param>
public sealed record EvalImageResult(string Prompt, string Tag, int Sample, bool Correct, double Reward, IReadOnlyList<string> Reasons, GenEvalFailure Cause,
    IReadOnlyList<GenEvalFailure>? Causes = null);

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
    /// <summary>Every image's verdict, in evaluation order (not written to eval.json; results.jsonl holds them).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<EvalImageResult> Results { get; init; } = [];

    /// <summary>The per-tag table as text (failure causes of each tag after its accuracy), overall last.</summary>
    public string Format() =>
        string.Join(Environment.NewLine, Tags.Select(t => FormattableString.Invariant($"{t.Tag,-14} {t.Accuracy,7:P1}  ({t.Images} images, {t.Prompts} prompts){FailureText(t)}")))
        + Environment.NewLine + FormattableString.Invariant($"{"overall",-14} {Overall,7:P1}  (mean of tags; mean reward {MeanReward:F3}; diversity {(double.IsNaN(Diversity) ? "n/a (1 image per prompt)" : Diversity.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))}; {Images} images in {Seconds:F0} s)");

    private static string FailureText(TagAccuracy tag) =>
        tag.Failures is { Count: > 0 } failures
            ? "  failed: " + string.Join(", ", failures.OrderByDescending(f => f.Value).Select(f => FormattableString.Invariant($"{CauseName(f.Key)} {f.Value:P0}")))
            : "";

    private static string CauseName(GenEvalFailure cause) => cause switch
    {
        GenEvalFailure.MissingObjects => "objects missing",
        GenEvalFailure.WrongColor => "wrong colour",
        GenEvalFailure.WrongPosition => "wrong position",
        GenEvalFailure.ExtraObjects => "too many",
        _ => "unspecified",
    };

    /// <summary>Accuracy of one tag (NaN when absent).</summary>
    public double Accuracy(GenEvalTag tag) => Tags.FirstOrDefault(t => t.Tag == GenEvalTags.Name(tag))?.Accuracy ?? double.NaN;
}
