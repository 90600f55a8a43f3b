using System.Globalization;
using System.Text;

namespace FlowTune.Rl.Reporting;

/// <summary>One line of a <see cref="SvgChart"/>: its points in data units, drawn in order.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">The points (non-finite ones are skipped).</param>
/// <param name="Dashed">Draw it dashed (and thinner).</param>
/// <param name="Color">Stroke colour (default: the palette colour of the line's position).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false, string? Color = null);

/// <summary>
/// Line and stacked-bar charts as inline SVG (no script, no external resource), the one plotter behind the HTML reports: axes with
/// ticks, a light grid, one polyline per series with a dot at each point (so a single point shows), and a legend in
/// the series' colours (a series with an empty name has none). Text is HTML-escaped.
/// </summary>
public static class SvgChart
{
    /// <summary>The palette, in series order.</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>
    /// A line chart of <paramref name="series"/> against <paramref name="xLabel"/> and <paramref name="yLabel"/>.
    /// <paramref name="percent"/>: the y axis runs 0–100 % (values are fractions); otherwise it spans the data.
    /// </summary>
    public static string Lines(IReadOnlyList<ChartSeries> series, string xLabel, string yLabel, bool percent = false, double width = 760, double height = 360)
    {
        ArgumentNullException.ThrowIfNull(series);
        // the legend sits right of the plot, one row per named series
        var legendWidth = series.Any(s => s.Name.Length > 0) ? Math.Min(220, 24 + 7 * series.Max(s => s.Name.Length)) : 0;
        double left = 64, right = 12 + legendWidth, top = 12, bottom = 44;
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (minX, maxX) = points.Count == 0 ? (0.0, 1.0) : (Math.Min(0, points.Min(p => p.X)), points.Max(p => p.X));
        var (minY, maxY) = percent ? (0.0, 1.0) : points.Count == 0 ? (0.0, 1.0) : (points.Min(p => p.Y), points.Max(p => p.Y));
        if (maxX - minX < 1e-12)
        {
            maxX = minX + 1;
        }
        if (maxY - minY < 1e-12)
        {
            (minY, maxY) = (minY - 0.5, maxY + 0.5);
        }
        else if (!percent)
        {
            // a little room above and below, not below zero when nothing is negative
            var margin = (maxY - minY) * 0.05;
            (minY, maxY) = (minY >= 0 ? Math.Max(0, minY - margin) : minY - margin, maxY + margin);
        }
        double Px(double x) => left + (x - minX) / (maxX - minX) * (width - left - right);
        double Py(double y) => height - bottom - (y - minY) / (maxY - minY) * (height - top - bottom);
        var svg = Frame(width, height, left, right, top, bottom, minY, maxY, percent, Py, xLabel, yLabel);
        foreach (var x in Ticks(minX, maxX, 0))
        {
            svg.Append(Invariant($"<line x1='{Px(x):F1}' y1='{height - bottom}' x2='{Px(x):F1}' y2='{height - bottom + 4}' stroke='black'/>"));
            svg.Append(Invariant($"<text x='{Px(x):F1}' y='{height - bottom + 16}' text-anchor='middle'>{Tick(x, percent: false)}</text>"));
        }
        var legend = 0;
        for (var s = 0; s < series.Count; s++)
        {
            var line = series[s];
            var color = line.Color ?? Palette[s % Palette.Count];
            var mine = line.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (mine.Count > 0)
            {
                var path = string.Join(" ", mine.Select(p => Invariant($"{Px(p.X):F1},{Py(p.Y):F1}")));
                svg.Append(Invariant($"<polyline class='series' fill='none' stroke='{color}' stroke-width='{(line.Dashed ? 1 : 2)}'{(line.Dashed ? " stroke-dasharray='4 3'" : "")} points='{path}'/>"));
                foreach (var p in mine)
                {
                    svg.Append(Invariant($"<circle cx='{Px(p.X):F1}' cy='{Py(p.Y):F1}' r='2.5' fill='{color}'/>"));
                }
            }
            if (line.Name.Length > 0)
            {
                Legend(svg, width - right, top + 10 + 16 * legend++, line.Name, color, line.Dashed ? " stroke-dasharray='4 3'" : "", 2);
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Stacked bars: one bar per category (<paramref name="categories"/>, labelled below it), made of one segment per
    /// part in <paramref name="parts"/> (each part's values in category order; missing or non-finite ones count 0).
    /// </summary>
    public static string StackedBars(IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> parts, string xLabel, string yLabel, double width = 760, double height = 360)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(parts);
        var legendWidth = parts.Count > 0 ? Math.Min(220, 24 + 7 * parts.Max(p => p.Name.Length)) : 0;
        double left = 64, right = 12 + legendWidth, top = 12, bottom = 44;
        double Value(int part, int category) => category < parts[part].Values.Count && double.IsFinite(parts[part].Values[category]) ? Math.Max(0, parts[part].Values[category]) : 0;
        var totals = Enumerable.Range(0, categories.Count).Select(c => Enumerable.Range(0, parts.Count).Sum(p => Value(p, c))).ToList();
        var maxY = Math.Max(1e-9, totals.DefaultIfEmpty(0).Max()) * 1.05;
        double Py(double y) => height - bottom - y / maxY * (height - top - bottom);
        var svg = Frame(width, height, left, right, top, bottom, 0, maxY, percent: false, Py, xLabel, yLabel);
        var slot = (width - left - right) / Math.Max(1, categories.Count);
        var labelEvery = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (var c = 0; c < categories.Count; c++)
        {
            var x = left + slot * c + slot * 0.15;
            var below = 0.0;
            for (var p = 0; p < parts.Count; p++)
            {
                var value = Value(p, c);
                if (value > 0)
                {
                    svg.Append(Invariant($"<rect class='bar' x='{x:F1}' y='{Py(below + value):F1}' width='{slot * 0.7:F1}' height='{Py(below) - Py(below + value):F1}' fill='{Palette[p % Palette.Count]}'><title>{HtmlPage.Escape(categories[c])}: {HtmlPage.Escape(parts[p].Name)} {value:0.#}</title></rect>"));
                    below += value;
                }
            }
            if (c % labelEvery == 0)
            {
                svg.Append(Invariant($"<text x='{x + slot * 0.35:F1}' y='{height - bottom + 16}' text-anchor='middle'>{HtmlPage.Escape(categories[c])}</text>"));
            }
        }
        for (var p = 0; p < parts.Count; p++)
        {
            Legend(svg, width - right, top + 10 + 16 * p, parts[p].Name, Palette[p % Palette.Count], "", 8);
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The svg element with its background, y grid and ticks, axes and axis labels.</summary>
    private static StringBuilder Frame(double width, double height, double left, double right, double top, double bottom, double minY, double maxY, bool percent, Func<double, double> py, string xLabel, string yLabel)
    {
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg class='chart' width='{width}' height='{height}' viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='12' role='img'>"));
        svg.Append(Invariant($"<rect x='0' y='0' width='{width}' height='{height}' fill='white'/>"));
        foreach (var y in Ticks(minY, maxY, percent ? 0.2 : 0))
        {
            svg.Append(Invariant($"<line x1='{left}' y1='{py(y):F1}' x2='{width - right}' y2='{py(y):F1}' stroke='#eee'/>"));
            svg.Append(Invariant($"<text x='{left - 6}' y='{py(y) + 4:F1}' text-anchor='end'>{Tick(y, percent)}</text>"));
        }
        svg.Append(Invariant($"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='black'/>"));
        svg.Append(Invariant($"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='black'/>"));
        svg.Append(Invariant($"<text x='{(left + width - right) / 2}' y='{height - 8}' text-anchor='middle'>{HtmlPage.Escape(xLabel)}</text>"));
        svg.Append(Invariant($"<text transform='translate(14 {(top + height - bottom) / 2}) rotate(-90)' text-anchor='middle'>{HtmlPage.Escape(yLabel)}</text>"));
        return svg;
    }

    /// <summary>One legend row right of the plot: a sample stroke (<paramref name="thickness"/>, extra <paramref name="style"/> attributes) and the name.</summary>
    private static void Legend(StringBuilder svg, double x, double y, string name, string color, string style, double thickness)
    {
        svg.Append(Invariant($"<line x1='{x + 10}' y1='{y - 4}' x2='{x + 28}' y2='{y - 4}' stroke='{color}' stroke-width='{thickness}'{style}/>"));
        svg.Append(Invariant($"<text x='{x + 32}' y='{y}' fill='{color}'>{HtmlPage.Escape(name)}</text>"));
    }

    /// <summary>Round tick values from <paramref name="min"/> to <paramref name="max"/>, about five, <paramref name="step"/> apart when it is positive.</summary>
    private static List<double> Ticks(double min, double max, double step)
    {
        if (step <= 0)
        {
            var raw = (max - min) / 5;
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            var fraction = raw / magnitude;
            step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
        }
        var ticks = new List<double>();
        for (var v = Math.Ceiling(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
        {
            ticks.Add(Math.Abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks;
    }

    private static string Tick(double value, bool percent) =>
        percent ? Invariant($"{value * 100:0.#}%")
        : Math.Abs(value) >= 1000 ? value.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.#", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
