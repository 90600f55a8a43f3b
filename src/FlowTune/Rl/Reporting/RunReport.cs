using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowTune.IO;
using FlowTune.Rl;
using FlowTune.Rl.Comparison;
using FlowTune.Training;

namespace FlowTune.Rl.Reporting;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline SVG charts, grids as <c>data:</c> PNGs, no script, nothing
/// fetched) about a run directory or a comparison folder. An RL run (<c>flowtune train</c>): reward per component,
/// per-tag accuracy against epochs and training minutes, the evaluation grids (newest first), the time per epoch
/// spent sampling, waiting for rewards, training and evaluating, and the resolved config. A pretraining run: the loss,
/// the quick evaluations' accuracy and grids, and the options. A comparison (<c>flowtune compare</c>): every config's
/// accuracy curves overlaid (<see cref="ComparisonReport.Chart"/>), every run's reward, and the table.
/// </summary>
public static class RunReport
{
    /// <summary>File name of the report inside the folder it describes.</summary>
    public const string FileName = "report.html";

    /// <summary>Comparison folders hold this file (the finished runs' curves).</summary>
    public const string RunsFile = "runs.json";

    /// <summary>At most this many evaluations show their grids (the first, the last and evenly spaced ones between).</summary>
    public const int MaxGridEvaluations = 12;

    /// <summary>
    /// Writes the report of <paramref name="directory"/> to <paramref name="output"/> (default:
    /// <c>DIRECTORY/report.html</c>) and returns its full path.
    /// </summary>
    public static string Write(string directory, string? output = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var html = Build(directory);
        var path = Path.GetFullPath(output ?? Path.Combine(directory, FileName));
        if (Path.GetDirectoryName(path) is { Length: > 0 } parent)
        {
            Directory.CreateDirectory(parent);
        }
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, html);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// The report page of <paramref name="directory"/>: a comparison when it holds runs.json, else a run from its
    /// metrics.jsonl (RL records carry a <c>kind</c>, pretraining ones a <c>step</c>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">It holds neither metrics.jsonl nor runs.json.</exception>
    public static string Build(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"no such run directory: {full}");
        }
        if (File.Exists(Path.Combine(full, RunsFile)))
        {
            return Comparison(full);
        }
        var metrics = Path.Combine(full, MetricsLog.FileName);
        if (!File.Exists(metrics))
        {
            throw new FileNotFoundException($"{full} holds neither {MetricsLog.FileName} (a train or pretrain run directory) nor {RunsFile} (a compare folder)");
        }
        return IsPretraining(metrics) ? Pretraining(full) : Rl(full);
    }

    private static bool IsPretraining(string metrics)
    {
        foreach (var line in File.ReadLines(metrics).Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            using var doc = Parse(line, metrics);
            return !doc.RootElement.TryGetProperty("kind", out _) && doc.RootElement.TryGetProperty("step", out _);
        }
        // no record yet (pretraining logs every log_every steps): the files beside it tell
        var dir = Path.GetDirectoryName(metrics)!;
        return File.Exists(Path.Combine(dir, "options.json")) && !File.Exists(Path.Combine(dir, "config.yaml"));
    }

    private static string Rl(string dir)
    {
        var log = RunLog.Read(dir);
        var body = new StringBuilder();
        body.Append(Invariant($"<h1>Run {HtmlPage.Escape(Path.GetFileName(dir))}</h1>"));
        var minutes = log.Epochs.Count > 0 ? log.Epochs[^1].ElapsedSeconds / 60 : 0;
        body.Append(Invariant($"<p class='note'>{HtmlPage.Escape(dir)}: {log.Epochs.Count} epochs, {log.Epochs.Sum(e => e.Images)} images sampled, {minutes:F1} training minutes, {log.Evaluations.Count} evaluations"));
        if (log.Evaluations.Count > 0)
        {
            body.Append(Invariant($"; accuracy {log.Evaluations[0].Overall:P1} at epoch {log.Evaluations[0].Epoch}, {log.Evaluations[^1].Overall:P1} at epoch {log.Evaluations[^1].Epoch}"));
        }
        body.Append(".</p>");

        body.Append("<h2 id='reward'>Reward per component</h2>");
        if (log.Epochs.Count == 0)
        {
            body.Append("<p class='note'>No epoch finished yet.</p>");
        }
        else
        {
            var series = new List<ChartSeries>
            {
                new("reward (mean)", [.. log.Epochs.Select(e => ((double)e.Epoch, e.RewardMean))], Color: "#000000"),
                new("reward ± std", [.. log.Epochs.Select(e => ((double)e.Epoch, e.RewardMean + e.RewardStd))], Dashed: true, Color: "#888888"),
                new("", [.. log.Epochs.Select(e => ((double)e.Epoch, e.RewardMean - e.RewardStd))], Dashed: true, Color: "#888888"),
            };
            var components = log.Epochs.SelectMany(e => e.ComponentMeans.Keys).Distinct().ToList();
            series.AddRange(components.Select(c => new ChartSeries(c, [.. log.Epochs.Select(e => ((double)e.Epoch, e.ComponentMeans.TryGetValue(c, out var v) ? v : double.NaN))])));
            body.Append(Charts(SvgChart.Lines(series, "epoch", "mean over the epoch's rollouts")));
        }

        body.Append("<h2 id='accuracy'>Accuracy per tag</h2>");
        if (log.Evaluations.Count == 0)
        {
            body.Append("<p class='note'>No evaluation yet.</p>");
        }
        else
        {
            // evaluations of the final one's protocol only: quick ones draw other prompts and read on another scale
            var full = log.Evaluations[^1].Full;
            var evals = log.Evaluations.Where(e => e.Full == full).ToList();
            double Minutes(EvalMetrics e) => (e.Seconds > 0 ? e.Seconds : log.ElapsedAfter(e.Epoch)) / 60;
            var points = evals.Select(e => new AccuracyPoint(e.Epoch, Minutes(e), e.Overall, e.Tags)).ToList();
            body.Append(AccuracySection(points, "epoch"));
            if (evals.Count < log.Evaluations.Count)
            {
                body.Append(Invariant($"<p class='note'>{log.Evaluations.Count - evals.Count} evaluations of the other (quick or full) protocol are left out: their prompts differ and their accuracy reads on another scale.</p>"));
            }
        }

        // folders of evaluations the log dropped (an interrupted run's, redone after a resume at other epochs) are left out
        var logged = log.Evaluations.Select(e => (long)e.Epoch).ToHashSet();
        var folders = EvaluationFolders(Path.Combine(dir, "eval")).Where(f => logged.Count == 0 || logged.Contains(f.Number)).ToList();
        body.Append("<h2 id='grids'>Evaluation grids (newest first)</h2>");
        body.Append(Grids(folders, "epoch"));

        body.Append("<h2 id='timing'>Time per epoch</h2>");
        if (log.Epochs.Count == 0)
        {
            body.Append("<p class='note'>No epoch finished yet.</p>");
        }
        else
        {
            var evalSeconds = folders.Where(f => f.Seconds is not null).Select(f => ((double)f.Number, f.Seconds!.Value)).OrderBy(p => p.Item1).ToList();
            // one bar per epoch (epoch 0: the base's evaluation), stacked by stage
            var byEpoch = log.Epochs.ToDictionary(e => (long)e.Epoch);
            var evalByEpoch = evalSeconds.ToDictionary(p => (long)p.Item1, p => p.Item2);
            var epochs = byEpoch.Keys.Union(evalByEpoch.Keys).Order().ToList();
            double Stage(long epoch, Func<EpochMetrics, double> pick) => byEpoch.TryGetValue(epoch, out var e) ? pick(e) : 0;
            var parts = new List<(string, IReadOnlyList<double>)>
            {
                ("sampling", [.. epochs.Select(e => Stage(e, m => m.SamplingSeconds))]),
                ("reward wait", [.. epochs.Select(e => Stage(e, m => m.RewardWaitSeconds))]),
                ("training", [.. epochs.Select(e => Stage(e, m => m.TrainingSeconds))]),
                ("evaluation (after the epoch)", [.. epochs.Select(e => evalByEpoch.GetValueOrDefault(e))]),
            };
            body.Append(Charts(SvgChart.StackedBars([.. epochs.Select(e => e.ToString(CultureInfo.InvariantCulture))], parts, "epoch", "seconds")));
            var totals = new (string Name, double Seconds)[]
            {
                ("sampling", log.Epochs.Sum(e => e.SamplingSeconds)),
                ("reward wait", log.Epochs.Sum(e => e.RewardWaitSeconds)),
                ("training", log.Epochs.Sum(e => e.TrainingSeconds)),
                ("evaluation", evalSeconds.Sum(p => p.Item2)),
            };
            var all = Math.Max(1e-9, totals.Sum(t => t.Seconds));
            body.Append("<table><tr><th>stage</th><th>seconds</th><th>share</th></tr>");
            foreach (var (name, seconds) in totals)
            {
                body.Append(Invariant($"<tr><td>{name}</td><td>{seconds:F1}</td><td>{seconds / all:P1}</td></tr>"));
            }
            body.Append("</table>");
        }

        body.Append("<h2 id='config'>Config</h2>");
        body.Append(TextFile(Path.Combine(dir, "config.yaml")));
        return HtmlPage.Wrap($"FlowTune run {Path.GetFileName(dir)}", body.ToString());
    }

    private static string Pretraining(string dir)
    {
        var metrics = Path.Combine(dir, MetricsLog.FileName);
        var steps = new SortedDictionary<long, PretrainMetrics>();
        foreach (var (line, number) in File.ReadLines(metrics).Select((l, i) => (l, i + 1)).Where(p => !string.IsNullOrWhiteSpace(p.l)))
        {
            try
            {
                if (JsonSerializer.Deserialize<PretrainMetrics>(line, Json.Options) is { } record)
                {
                    steps[record.Step] = record;
                }
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{metrics}:{number}: {e.Message}", e);
            }
        }
        var records = steps.Values.ToList();
        var body = new StringBuilder();
        body.Append(Invariant($"<h1>Pretraining run {HtmlPage.Escape(Path.GetFileName(dir))}</h1>"));
        var progress = records.Count > 0 ? Invariant($"{records[^1].Step} steps logged, {records[^1].TrainSeconds / 60:F1} training minutes") : "no loss record yet";
        body.Append(Invariant($"<p class='note'>{HtmlPage.Escape(dir)}: {progress}.</p>"));
        body.Append("<h2 id='loss'>Loss</h2>");
        if (records.Count == 0)
        {
            body.Append("<p class='note'>No loss record yet (pretraining writes one every log_every steps).</p>");
        }
        else
        {
            var loss = new List<ChartSeries> { new("flow-matching loss", [.. records.Select(r => ((double)r.Step, r.Loss))]) };
            if (records.Any(r => r.CaptionLoss is not null))
            {
                loss.Add(new ChartSeries("caption loss", [.. records.Select(r => ((double)r.Step, r.CaptionLoss ?? double.NaN))]));
            }
            body.Append(Charts(SvgChart.Lines(loss, "optimizer step", "loss")));
        }

        body.Append("<h2 id='accuracy'>Accuracy per tag (quick evaluations)</h2>");
        var curve = Path.Combine(dir, "eval_curve.jsonl");
        var points = new SortedDictionary<long, AccuracyPoint>();
        if (File.Exists(curve))
        {
            foreach (var line in File.ReadLines(curve).Where(l => !string.IsNullOrWhiteSpace(l)))
            {
                using var doc = Parse(line, curve);
                var root = doc.RootElement;
                var step = root.GetProperty("step").GetInt64();
                var tags = root.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : [];
                points[step] = new AccuracyPoint(step, root.GetProperty("train_minutes").GetDouble(), root.GetProperty("overall").GetDouble(), tags);
            }
        }
        body.Append(points.Count == 0 ? "<p class='note'>No evaluation recorded (eval_curve.jsonl is absent or empty).</p>" : AccuracySection([.. points.Values], "optimizer step"));
        body.Append("<h2 id='grids'>Evaluation grids (newest first)</h2>");
        body.Append(Grids(EvaluationFolders(Path.Combine(dir, "samples")), "step"));
        body.Append("<h2 id='config'>Options</h2>");
        body.Append(TextFile(Path.Combine(dir, "options.json")));
        return HtmlPage.Wrap($"FlowTune pretraining {Path.GetFileName(dir)}", body.ToString());
    }

    private static string Comparison(string dir)
    {
        var runs = Json.Read<List<ComparisonRun>>(Path.Combine(dir, RunsFile));
        var body = new StringBuilder();
        body.Append(Invariant($"<h1>Comparison {HtmlPage.Escape(Path.GetFileName(dir))}</h1>"));
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        body.Append(Invariant($"<p class='note'>{HtmlPage.Escape(dir)}: {runs.Count} finished runs of {configs.Count} configs ({HtmlPage.Escape(string.Join(", ", configs))}).</p>"));
        body.Append("<h2 id='accuracy'>Accuracy (mean over seeds)</h2>");
        if (runs.Count == 0)
        {
            body.Append("<p class='note'>No run finished yet.</p>");
        }
        else
        {
            body.Append(Invariant($"<p class='note'>{HtmlPage.Escape(ComparisonReport.ChartNote)}</p>"));
            body.Append(Charts(ComparisonReport.Chart(runs, byMinutes: false), ComparisonReport.Chart(runs, byMinutes: true)));
        }
        body.Append("<h2 id='reward'>Reward per run</h2>");
        var rewards = new List<ChartSeries>();
        var links = new List<string>();
        foreach (var run in runs)
        {
            var runDir = Path.Combine(dir, Invariant($"{run.Config}_seed{run.Seed}"));
            var epochs = RunLog.Read(runDir).Epochs;
            if (epochs.Count > 0)
            {
                var color = SvgChart.Palette[configs.IndexOf(run.Config) % SvgChart.Palette.Count];
                rewards.Add(new ChartSeries(Invariant($"{run.Config}, seed {run.Seed}"), [.. epochs.Select(e => ((double)e.Epoch, e.RewardMean))], Dashed: run.Seed != runs.Where(r => r.Config == run.Config).Min(r => r.Seed), Color: color));
            }
            if (File.Exists(Path.Combine(runDir, FileName)))
            {
                var href = Path.GetFileName(runDir) + "/" + FileName;
                links.Add(Invariant($"<li><a href='{HtmlPage.Escape(href)}'>{HtmlPage.Escape(run.Config)}, seed {run.Seed}</a></li>"));
            }
        }
        body.Append(rewards.Count == 0 ? "<p class='note'>No run log found next to runs.json.</p>" : Charts(SvgChart.Lines(rewards, "epoch", "mean reward (solid: each config's first seed)")));
        if (links.Count > 0)
        {
            body.Append("<p>Reports of the runs:</p><ul>").Append(string.Concat(links)).Append("</ul>");
        }
        body.Append("<h2 id='table'>Table</h2>");
        var table = Path.Combine(dir, "table.md");
        body.Append(Invariant($"<pre>{HtmlPage.Escape(File.Exists(table) ? File.ReadAllText(table) : ComparisonReport.Table(runs))}</pre>"));
        return HtmlPage.Wrap($"FlowTune comparison {Path.GetFileName(dir)}", body.ToString());
    }

    /// <summary>One evaluation on an accuracy chart.</summary>
    private sealed record AccuracyPoint(long At, double Minutes, double Overall, IReadOnlyDictionary<string, double> Tags);

    /// <summary>Overall and per-tag accuracy against <paramref name="xLabel"/> and training minutes, and the numbers as a table.</summary>
    private static string AccuracySection(IReadOnlyList<AccuracyPoint> points, string xLabel)
    {
        var tags = points.SelectMany(p => p.Tags.Keys).Distinct().ToList();
        List<ChartSeries> Series(Func<AccuracyPoint, double> x) =>
        [
            new("overall", [.. points.Select(p => (x(p), p.Overall))], Color: "#000000"),
            .. tags.Select(t => new ChartSeries(t, [.. points.Select(p => (x(p), p.Tags.TryGetValue(t, out var a) ? a : double.NaN))])),
        ];
        var text = new StringBuilder(Charts(
            SvgChart.Lines(Series(p => p.At), xLabel, "strict accuracy", percent: true),
            SvgChart.Lines(Series(p => p.Minutes), "training minutes", "strict accuracy", percent: true)));
        text.Append(Invariant($"<table><tr><th>{HtmlPage.Escape(xLabel)}</th><th>training minutes</th><th>overall</th>"));
        text.Append(string.Concat(tags.Select(t => $"<th>{HtmlPage.Escape(t)}</th>"))).Append("</tr>");
        foreach (var p in points)
        {
            text.Append(Invariant($"<tr><td>{p.At}</td><td>{p.Minutes:F1}</td><td>{p.Overall:P1}</td>"));
            text.Append(string.Concat(tags.Select(t => p.Tags.TryGetValue(t, out var a) ? Invariant($"<td>{a:P1}</td>") : "<td></td>"))).Append("</tr>");
        }
        return text.Append("</table>").ToString();
    }

    /// <summary>An evaluation folder (<c>eval/epoch_NNNN</c>, <c>samples/step_NNNNNN</c>): its number, grids and eval.json.</summary>
    private sealed record EvaluationFolder(long Number, string Path, IReadOnlyList<string> Grids, double? Seconds, double? Overall, IReadOnlyDictionary<string, double> Tags);

    /// <summary>The numbered evaluation folders under <paramref name="root"/>, newest first.</summary>
    private static List<EvaluationFolder> EvaluationFolders(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }
        var folders = new List<EvaluationFolder>();
        foreach (var sub in Directory.GetDirectories(root))
        {
            var name = Path.GetFileName(sub);
            var underscore = name.LastIndexOf('_');
            if (underscore < 0 || !long.TryParse(name.AsSpan(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                continue;
            }
            var grids = Directory.GetFiles(sub, "grid_*.png").Order(StringComparer.Ordinal).ToList();
            double? seconds = null, overall = null;
            var tags = new Dictionary<string, double>();
            var evalJson = Path.Combine(sub, "eval.json");
            if (File.Exists(evalJson))
            {
                using var doc = Parse(File.ReadAllText(evalJson), evalJson);
                var r = doc.RootElement;
                seconds = r.TryGetProperty("seconds", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
                overall = r.TryGetProperty("overall", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetDouble() : null;
                if (r.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array)
                {
                    foreach (var tag in t.EnumerateArray())
                    {
                        if (tag.TryGetProperty("tag", out var n) && tag.TryGetProperty("accuracy", out var a) && a.ValueKind == JsonValueKind.Number)
                        {
                            tags[n.GetString() ?? ""] = a.GetDouble();
                        }
                    }
                }
            }
            if (grids.Count > 0 || seconds is not null)
            {
                folders.Add(new EvaluationFolder(number, sub, grids, seconds, overall, tags));
            }
        }
        return [.. folders.OrderByDescending(f => f.Number)];
    }

    /// <summary>A row of grids per evaluation (at most <see cref="MaxGridEvaluations"/>), each grid embedded as a data: PNG.</summary>
    private static string Grids(IReadOnlyList<EvaluationFolder> folders, string unit)
    {
        var withGrids = folders.Where(f => f.Grids.Count > 0).ToList();
        if (withGrids.Count == 0)
        {
            return "<p class='note'>No evaluation grid found.</p>";
        }
        var shown = withGrids.Count <= MaxGridEvaluations
            ? withGrids
            : [.. Enumerable.Range(0, MaxGridEvaluations).Select(i => withGrids[(int)Math.Round(i * (withGrids.Count - 1) / (double)(MaxGridEvaluations - 1))]).Distinct()];
        var text = new StringBuilder();
        if (shown.Count < withGrids.Count)
        {
            text.Append(Invariant($"<p class='note'>{shown.Count} of {withGrids.Count} evaluations shown (the first, the last and evenly spaced ones).</p>"));
        }
        foreach (var folder in shown)
        {
            text.Append(Invariant($"<h3>{HtmlPage.Escape(unit)} {folder.Number}"));
            if (folder.Overall is { } overall)
            {
                text.Append(Invariant($": overall {overall:P1}"));
            }
            text.Append("</h3><div class='grids'>");
            foreach (var grid in folder.Grids)
            {
                var tag = Path.GetFileNameWithoutExtension(grid)["grid_".Length..];
                var caption = folder.Tags.TryGetValue(tag, out var accuracy) ? Invariant($"{tag} {accuracy:P1}") : tag;
                text.Append(Invariant($"<figure><img class='grid' alt='{HtmlPage.Escape(caption)}' src='{HtmlPage.PngDataUri(File.ReadAllBytes(grid))}'><figcaption>{HtmlPage.Escape(caption)}</figcaption></figure>"));
            }
            text.Append("</div>");
        }
        return text.ToString();
    }

    private static string Charts(params string[] svgs) => "<div class='charts'>" + string.Concat(svgs) + "</div>";

    private static string TextFile(string path) =>
        File.Exists(path)
            ? Invariant($"<p class='note'>{HtmlPage.Escape(Path.GetFileName(path))}</p><pre>{HtmlPage.Escape(File.ReadAllText(path))}</pre>")
            : Invariant($"<p class='note'>{HtmlPage.Escape(Path.GetFileName(path))} not found in the run directory.</p>");

    private static JsonDocument Parse(string json, string path)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
