using System.Globalization;
using System.Text;
using FlowTune.Rl.Reporting;

namespace FlowTune.Rl.Comparison;

/// <summary>
/// The comparison table (markdown) and reward/accuracy-vs-steps curves (SVG inside an HTML page). The reference
/// threshold is the first config's mean final accuracy: for every config, the optimizer steps and seconds needed to
/// reach it (mean over the seeds that reach it, as a share of the reference's own steps).
/// </summary>
public static class ComparisonReport
{
    /// <summary>The markdown table.</summary>
    public static string Table(IReadOnlyList<ComparisonRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        if (configs.Count == 0)
        {
            return "(no runs)";
        }
        var reference = runs.Where(r => r.Config == configs[0]).ToList();
        var threshold = reference.Average(r => r.Final);
        var referenceSteps = reference.Average(r => r.Curve[^1].Updates);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Threshold: {configs[0]}'s mean final accuracy {threshold:P1}, reached by it in {referenceSteps:F0} optimizer steps."));
        text.AppendLine();
        text.AppendLine("| config | seeds | final accuracy (mean ± sd) | steps to threshold | share of reference steps | seconds to threshold | seeds reaching |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var config in configs)
        {
            var mine = runs.Where(r => r.Config == config).ToList();
            var finals = mine.Select(r => r.Final).ToList();
            var mean = finals.Average();
            var sd = Math.Sqrt(finals.Sum(f => (f - mean) * (f - mean)) / Math.Max(1, finals.Count - 1));
            var reached = mine.Select(r => r.FirstReaching(threshold)).OfType<CurvePoint>().ToList();
            var steps = reached.Count > 0 ? reached.Average(p => p.Updates) : double.NaN;
            var seconds = reached.Count > 0 ? reached.Average(p => p.Seconds) : double.NaN;
            text.AppendLine(Invariant($"| {config} | {mine.Count} | {mean:P1} ± {sd:P1} | {Format(steps, "F0")} | {Format(steps / referenceSteps, "P0")} | {Format(seconds, "F0")} | {reached.Count}/{mine.Count} |"));
        }
        return text.ToString();
    }

    /// <summary>
    /// The time-to-accuracy table of a time-limited comparison: accuracy at each milestone (training minutes) and at
    /// the end (full evaluations), each as the median over seeds with the range; the minutes and optimizer steps
    /// to the reference's (first config's) median final accuracy; final diversity; and a second table with the final
    /// per-tag accuracies. <paramref name="schedule"/> says how the runs shared the machine.
    /// </summary>
    public static string TimeTable(IReadOnlyList<ComparisonRun> runs, IReadOnlyList<double> milestones, string schedule)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(milestones);
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        if (configs.Count == 0)
        {
            return "(no runs)";
        }
        var threshold = Median(runs.Where(r => r.Config == configs[0]).Select(r => r.Final));
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Schedule: {schedule}. Accuracy: strict, overall (mean of tags), median over seeds [min–max]; the milestones and the final are full evaluations. Threshold: {configs[0]}'s median final accuracy {threshold:P1}."));
        text.AppendLine();
        text.AppendLine("| config | seeds | " + string.Join(" | ", milestones.Select(m => Invariant($"at {m:0.#} min"))) + " | final | minutes to threshold | steps to threshold | seeds reaching | final diversity |");
        text.AppendLine("|---|---|" + string.Concat(milestones.Select(_ => "---|")) + "---|---|---|---|---|");
        foreach (var config in configs)
        {
            var mine = runs.Where(r => r.Config == config).ToList();
            var cells = milestones.Select(m => Spread(mine.Select(r => r.At(m)?.Overall ?? double.NaN)));
            var reached = mine.Select(r => r.FirstReaching(threshold)).OfType<CurvePoint>().ToList();
            var minutes = reached.Count > 0 ? Median(reached.Select(p => p.Seconds / 60)) : double.NaN;
            var steps = reached.Count > 0 ? Median(reached.Select(p => (double)p.Updates)) : double.NaN;
            var diversity = Median(mine.Select(r => r.Curve[^1].Diversity));
            text.AppendLine(Invariant($"| {config} | {mine.Count} | {string.Join(" | ", cells)} | {Spread(mine.Select(r => r.Final))} | {Format(minutes, "F1")} | {Format(steps, "F0")} | {reached.Count}/{mine.Count} | {Format(diversity, "F3")} |"));
        }
        var tags = runs.SelectMany(r => r.Curve[^1].Tags?.Keys ?? Enumerable.Empty<string>()).Distinct().ToList();
        if (tags.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Final accuracy per tag (median over seeds [min–max]):");
            text.AppendLine();
            text.AppendLine("| config | " + string.Join(" | ", tags) + " |");
            text.AppendLine("|---|" + string.Concat(tags.Select(_ => "---|")));
            foreach (var config in configs)
            {
                var mine = runs.Where(r => r.Config == config).ToList();
                text.AppendLine($"| {config} | " + string.Join(" | ", tags.Select(t => Spread(mine.Select(r => r.Curve[^1].Tags is { } d && d.TryGetValue(t, out var a) ? a : double.NaN)))) + " |");
            }
        }
        return text.ToString();
    }

    /// <summary>An HTML page with the table and one SVG chart of mean accuracy vs optimizer steps per config.</summary>
    public static string Html(IReadOnlyList<ComparisonRun> runs) => Html(runs, byMinutes: false, Table(runs));

    /// <summary>
    /// An HTML page with <paramref name="table"/> and the chart of <see cref="Chart"/> against optimizer steps, or
    /// against training minutes (<paramref name="byMinutes"/>).
    /// </summary>
    public static string Html(IReadOnlyList<ComparisonRun> runs, bool byMinutes, string table)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var body = $"<h1>Accuracy vs {(byMinutes ? "training minutes" : "optimizer steps")} (mean over seeds)</h1><p>{ChartNote}</p>{Chart(runs, byMinutes)}<pre>{HtmlPage.Escape(table)}</pre>";
        return HtmlPage.Wrap("FlowTune comparison", body);
    }

    /// <summary>What the lines of <see cref="Chart"/> are.</summary>
    public const string ChartNote = "Solid: evaluations made like each run's final one; dashed: the other (quick) evaluations, on their own scale.";

    /// <summary>
    /// An SVG chart of mean accuracy per config (over its seeds) against optimizer steps, or against training minutes
    /// (<paramref name="byMinutes"/>): a solid line through the evaluations made like the final one, a dashed one
    /// through the others.
    /// </summary>
    public static string Chart(IReadOnlyList<ComparisonRun> runs, bool byMinutes)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        double X(CurvePoint p) => byMinutes ? p.Seconds / 60 : p.Updates;
        var series = new List<ChartSeries>();
        for (var c = 0; c < configs.Count; c++)
        {
            var mine = runs.Where(r => r.Config == configs[c]).ToList();
            var color = SvgChart.Palette[c % SvgChart.Palette.Count];
            // one line per evaluation protocol (their accuracies are on different scales): the final's solid, the other dashed
            foreach (var likeFinal in new[] { true, false })
            {
                var curves = mine.Select(r => r.Evaluations(likeFinal).ToList()).ToList();
                var points = curves[0].Select((p, i) => (X: curves.Where(k => k.Count > i).Average(k => X(k[i])), Y: curves.Where(k => k.Count > i).Average(k => k[i].Overall))).ToList();
                if (points.Count > 0 || likeFinal)
                {
                    series.Add(new ChartSeries(likeFinal ? configs[c] : configs[c] + " (quick)", points, Dashed: !likeFinal, Color: color));
                }
            }
        }
        return SvgChart.Lines(series, byMinutes ? "training minutes" : "optimizer steps", "accuracy (mean over seeds)", percent: true);
    }

    /// <summary>Median of the finite values (NaN when there is none).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToList();
        return v.Count == 0 ? double.NaN : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>"median [min–max]" of accuracies (one value: just it; none: n/a).</summary>
    private static string Spread(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        return v.Count switch
        {
            0 => "n/a",
            1 => Invariant($"{v[0]:P1}"),
            _ => Invariant($"{Median(v):P1} [{v.Min():P1}–{v.Max():P1}]"),
        };
    }

    private static string Format(double value, string format) => double.IsNaN(value) ? "not reached" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
