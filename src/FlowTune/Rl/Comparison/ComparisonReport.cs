using System.Globalization;
using System.Text;

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
    /// An HTML page with <paramref name="table"/> and one SVG chart of mean accuracy per config against optimizer
    /// steps, or against training minutes (<paramref name="byMinutes"/>): a solid line through the evaluations made
    /// like the final one, a dashed one through the others.
    /// </summary>
    public static string Html(IReadOnlyList<ComparisonRun> runs, bool byMinutes, string table)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        string[] colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        const double w = 640, h = 360, pad = 48;
        double X(CurvePoint p) => byMinutes ? p.Seconds / 60 : p.Updates;
        var maxX = Math.Max(1e-9, runs.SelectMany(r => r.Curve).Max(X));
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' font-family='sans-serif' font-size='12'>"));
        svg.Append(Invariant($"<line x1='{pad}' y1='{h - pad}' x2='{w - 10}' y2='{h - pad}' stroke='black'/><line x1='{pad}' y1='10' x2='{pad}' y2='{h - pad}' stroke='black'/>"));
        for (var y = 0; y <= 10; y += 2)
        {
            var py = h - pad - y / 10.0 * (h - pad - 10);
            svg.Append(Invariant($"<text x='{pad - 6}' y='{py + 4}' text-anchor='end'>{y * 10}%</text><line x1='{pad}' y1='{py}' x2='{w - 10}' y2='{py}' stroke='#eee'/>"));
        }
        svg.Append(Invariant($"<text x='{w / 2}' y='{h - 10}' text-anchor='middle'>{(byMinutes ? "training minutes" : "optimizer steps")} (max {maxX:0.#})</text>"));
        for (var c = 0; c < configs.Count; c++)
        {
            var mine = runs.Where(r => r.Config == configs[c]).ToList();
            // one line per evaluation protocol (their accuracies are on different scales): the final's solid, the other dashed
            foreach (var likeFinal in new[] { true, false })
            {
                var curves = mine.Select(r => r.Evaluations(likeFinal).ToList()).ToList();
                var points = curves[0].Select((p, i) => (X: curves.Where(k => k.Count > i).Average(k => X(k[i])), Mean: curves.Where(k => k.Count > i).Average(k => k[i].Overall))).ToList();
                if (points.Count == 0)
                {
                    continue;
                }
                var path = string.Join(" ", points.Select(p => Invariant($"{pad + p.X / maxX * (w - pad - 10):F1},{h - pad - p.Mean * (h - pad - 10):F1}")));
                svg.Append(Invariant($"<polyline fill='none' stroke='{colors[c % colors.Length]}' stroke-width='{(likeFinal ? 2 : 1)}'{(likeFinal ? "" : " stroke-dasharray='4 3'")} points='{path}'/>"));
            }
            svg.Append(Invariant($"<text x='{pad + 10}' y='{20 + 16 * c}' fill='{colors[c % colors.Length]}'>{System.Net.WebUtility.HtmlEncode(configs[c])}</text>"));
        }
        svg.Append("</svg>");
        var encoded = System.Net.WebUtility.HtmlEncode(table);
        return $"<!doctype html><html><head><meta charset='utf-8'><title>FlowTune comparison</title></head><body><h1>Accuracy vs {(byMinutes ? "training minutes" : "optimizer steps")} (mean over seeds)</h1><p>Solid: evaluations made like each run's final one; dashed: the other (quick) evaluations, on their own scale.</p>{svg}<pre>{encoded}</pre></body></html>";
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
