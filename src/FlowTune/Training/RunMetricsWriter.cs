using System.Globalization;
using System.Text.Json;
using FlowTune.IO;
using FlowTune.IO.TensorBoard;

namespace FlowTune.Training;

/// <summary>
/// The metrics of a run directory, written twice: each record as one line of <c>metrics.jsonl</c>, and its numbers as
/// TensorBoard scalars in an events file under <c>tensorboard/</c> (docs/FORMATS.md §6.4). A record's scalars are
/// tagged <c>&lt;group&gt;/&lt;field&gt;</c> (the group is the record's <c>kind</c>, "train" without one; nested
/// objects add their keys: <c>eval/tags/position</c>) at the step of its <c>global_step</c>, <c>step</c> or
/// <c>epoch</c> field, the first present. Evaluation grids become images and the run's resolved config a text.
/// </summary>
public sealed class RunMetricsWriter : IDisposable
{
    /// <summary>The events files' folder inside a run directory.</summary>
    public const string TensorBoardFolder = "tensorboard";

    /// <summary>The group of records without a <c>kind</c> (pretraining's).</summary>
    public const string DefaultGroup = "train";

    private static readonly string[] StepFields = ["global_step", "step", "epoch"];

    private readonly JsonlWriter _jsonl;

    /// <summary>Opens (appending) <c>metrics.jsonl</c> of <paramref name="runDirectory"/> and starts a new events file.</summary>
    public RunMetricsWriter(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        _jsonl = new JsonlWriter(Path.Combine(runDirectory, MetricsLog.FileName));
        TensorBoard = new TensorBoardWriter(Path.Combine(runDirectory, TensorBoardFolder));
    }

    /// <summary>The run's TensorBoard events file.</summary>
    public TensorBoardWriter TensorBoard { get; }

    /// <summary>Appends <paramref name="record"/> to <c>metrics.jsonl</c> and writes its numbers as scalars.</summary>
    public void Write(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _jsonl.Write(record);
        Scalars(record);
    }

    /// <summary>Writes the numbers of <paramref name="record"/> as scalars only (a record kept in another file).</summary>
    /// <param name="record">Serialized with FlowTune's JSON conventions (snake_case names).</param>
    /// <param name="group">The tags' first part (default: the record's <c>kind</c>, else <see cref="DefaultGroup"/>).</param>
    public void Scalars(object record, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (step, scalars) = Flatten(JsonSerializer.SerializeToElement(record, record.GetType(), Json.Options), group);
        TensorBoard.Scalars(step, scalars);
    }

    /// <summary>
    /// Writes every <c>grid_&lt;tag&gt;.png</c> of an evaluation folder as the image <c>&lt;group&gt;/grid/&lt;tag&gt;</c>
    /// at <paramref name="step"/>.
    /// </summary>
    public void EvaluationGrids(string evaluationFolder, long step, string group = "eval")
    {
        ArgumentException.ThrowIfNullOrEmpty(evaluationFolder);
        if (!Directory.Exists(evaluationFolder))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(evaluationFolder, "grid_*.png").Order(StringComparer.Ordinal))
        {
            var tag = Path.GetFileNameWithoutExtension(file)["grid_".Length..];
            TensorBoard.Image($"{group}/grid/{tag}", step, File.ReadAllBytes(file));
        }
    }

    /// <summary>Writes the run's resolved config (YAML or JSON text) as the text <c>config</c>, shown as a code block.</summary>
    public void Config(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        TensorBoard.Text("config", 0, string.Join("\n", lines.Select(l => "    " + l)));
    }

    /// <summary>
    /// The step and the scalars of a serialized record: every number (and NaN/Infinity, which FlowTune's JSON writes as
    /// strings) at any depth, tagged by its path below the group.
    /// </summary>
    internal static (long Step, List<KeyValuePair<string, double>> Scalars) Flatten(JsonElement record, string? group)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"a metrics record must serialize to a JSON object, not {record.ValueKind}", nameof(record));
        }
        group ??= record.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString()! : DefaultGroup;
        long step = 0;
        foreach (var name in StepFields)
        {
            if (record.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var value))
            {
                step = value;
                break;
            }
        }
        var scalars = new List<KeyValuePair<string, double>>();
        Add(record, group, scalars);
        return (step, scalars);
    }

    private static void Add(JsonElement element, string tag, List<KeyValuePair<string, double>> scalars)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    Add(p.Value, $"{tag}/{p.Name}", scalars);
                }
                break;
            case JsonValueKind.Number:
                scalars.Add(KeyValuePair.Create(tag, element.GetDouble()));
                break;
            case JsonValueKind.String when NonFinite(element.GetString()) is { } value:
                scalars.Add(KeyValuePair.Create(tag, value));
                break;
        }
    }

    private static double? NonFinite(string? text) => text is "NaN" or "Infinity" or "-Infinity"
        ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
        : null;

    /// <summary>Closes both files.</summary>
    public void Dispose()
    {
        _jsonl.Dispose();
        TensorBoard.Dispose();
    }
}
