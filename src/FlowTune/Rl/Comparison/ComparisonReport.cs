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

    /// <summary>An HTML page with the table and one SVG chart of mean accuracy vs optimizer steps per config.</summary>
    public static string Html(IReadOnlyList<ComparisonRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        string[] colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        const double w = 640, h = 360, pad = 48;
        var maxSteps = Math.Max(1, runs.SelectMany(r => r.Curve).Max(p => p.Updates));
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' font-family='sans-serif' font-size='12'>"));
        svg.Append(Invariant($"<line x1='{pad}' y1='{h - pad}' x2='{w - 10}' y2='{h - pad}' stroke='black'/><line x1='{pad}' y1='10' x2='{pad}' y2='{h - pad}' stroke='black'/>"));
        for (var y = 0; y <= 10; y += 2)
        {
            var py = h - pad - y / 10.0 * (h - pad - 10);
            svg.Append(Invariant($"<text x='{pad - 6}' y='{py + 4}' text-anchor='end'>{y * 10}%</text><line x1='{pad}' y1='{py}' x2='{w - 10}' y2='{py}' stroke='#eee'/>"));
        }
        svg.Append(Invariant($"<text x='{w / 2}' y='{h - 10}' text-anchor='middle'>optimizer steps (max {maxSteps})</text>"));
        for (var c = 0; c < configs.Count; c++)
        {
            var mine = runs.Where(r => r.Config == configs[c]).ToList();
            var points = mine[0].Curve.Select((p, i) => (p.Updates, Mean: mine.Where(r => r.Curve.Count > i).Average(r => r.Curve[i].Overall)));
            var path = string.Join(" ", points.Select(p => Invariant($"{pad + p.Updates / (double)maxSteps * (w - pad - 10):F1},{h - pad - p.Mean * (h - pad - 10):F1}")));
            svg.Append(Invariant($"<polyline fill='none' stroke='{colors[c % colors.Length]}' stroke-width='2' points='{path}'/>"));
            svg.Append(Invariant($"<text x='{pad + 10}' y='{20 + 16 * c}' fill='{colors[c % colors.Length]}'>{System.Net.WebUtility.HtmlEncode(configs[c])}</text>"));
        }
        svg.Append("</svg>");
        var table = System.Net.WebUtility.HtmlEncode(Table(runs));
        return $"<!doctype html><html><head><meta charset='utf-8'><title>FlowTune comparison</title></head><body><h1>Accuracy vs optimizer steps (mean over seeds)</h1>{svg}<pre>{table}</pre></body></html>";
    }

    private static string Format(double value, string format) => double.IsNaN(value) ? "not reached" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
