using System.Text;
using System.Text.Json;

namespace FlowTune.Worlds;

/// <summary>
/// Reads and writes GenEval metadata files (<c>evaluation_metadata.jsonl</c>): one JSON object per line with keys
/// <c>tag</c>, <c>include</c>, optional <c>exclude</c> and <c>prompt</c>. Parsing is strict: every non-blank line
/// must be a valid entry, or a <see cref="GenEvalMetadataException"/> names the line and the problem; unknown
/// keys are errors (a misspelt <c>"colour"</c> must not silently drop a clause). Class and colour names are not
/// checked against any world.
/// </summary>
public static class GenEvalMetadata
{
    /// <summary>Parses a metadata file.</summary>
    /// <param name="path">The .jsonl file.</param>
    public static IReadOnlyList<GenEvalEntry> ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ParseLines(File.ReadLines(path, Encoding.UTF8));
    }

    /// <summary>Parses metadata lines; blank lines are skipped, line numbers are 1-based.</summary>
    /// <param name="lines">The lines.</param>
    public static IReadOnlyList<GenEvalEntry> ParseLines(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var entries = new List<GenEvalEntry>();
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                entries.Add(ParseLine(line, lineNumber));
            }
        }

        return entries;
    }

    /// <summary>Parses one line.</summary>
    /// <param name="line">The JSON text.</param>
    /// <param name="lineNumber">Line number for error messages.</param>
    public static GenEvalEntry ParseLine(string line, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new GenEvalMetadataException(lineNumber, $"invalid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            return GenEvalEntryReader.Read(document.RootElement, lineNumber);
        }
    }

    /// <summary>Formats an entry as one line in GenEval's own layout (key order tag, include, exclude, prompt; <c>", "</c> and <c>": "</c> separators).</summary>
    /// <param name="entry">The entry.</param>
    public static string ToJsonLine(GenEvalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder();
        text.Append("{\"tag\": ").Append(Quote(GenEvalTags.Name(entry.Tag)));
        text.Append(", \"include\": [");
        for (int i = 0; i < entry.Include.Count; i++)
        {
            IncludeClause clause = entry.Include[i];
            text.Append(i > 0 ? ", " : string.Empty);
            text.Append("{\"class\": ").Append(Quote(clause.ClassName)).Append(", \"count\": ").Append(clause.Count);
            if (clause.Color is not null)
            {
                text.Append(", \"color\": ").Append(Quote(clause.Color));
            }

            if (clause.Position is not null)
            {
                text.Append(", \"position\": [").Append(Quote(PositionRelations.Name(clause.Position.Relation)))
                    .Append(", ").Append(clause.Position.ReferenceIndex).Append(']');
            }

            text.Append('}');
        }

        text.Append(']');
        if (entry.Exclude.Count > 0)
        {
            text.Append(", \"exclude\": [");
            text.AppendJoin(", ", entry.Exclude.Select(e => $"{{\"class\": {Quote(e.ClassName)}, \"count\": {e.Count}}}"));
            text.Append(']');
        }

        text.Append(", \"prompt\": ").Append(Quote(entry.Prompt)).Append('}');
        return text.ToString();
    }

    /// <summary>Writes entries to a metadata file, one line each (creates the directory).</summary>
    /// <param name="path">The .jsonl file.</param>
    /// <param name="entries">The entries.</param>
    public static void WriteFile(string path, IEnumerable<GenEvalEntry> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(entries);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllLines(path, entries.Select(ToJsonLine), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
