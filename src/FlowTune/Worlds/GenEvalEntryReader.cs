using System.Text.Json;

namespace FlowTune.Worlds;

/// <summary>Validates one parsed JSON line against GenEval's metadata schema.</summary>
internal static class GenEvalEntryReader
{
    private static readonly string[] _entryKeys = ["tag", "include", "exclude", "prompt"];
    private static readonly string[] _includeKeys = ["class", "count", "color", "position"];
    private static readonly string[] _excludeKeys = ["class", "count"];

    public static GenEvalEntry Read(JsonElement root, int line)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail(line, $"expected a JSON object, found {root.ValueKind}");
        }

        CheckKeys(root, _entryKeys, "entry", line);
        string tagName = RequiredString(root, "tag", "entry", line);
        if (!GenEvalTags.TryParse(tagName, out GenEvalTag tag))
        {
            throw Fail(line, $"unknown tag \"{tagName}\" (expected one of {string.Join(", ", GenEvalTags.All.Select(GenEvalTags.Name))})");
        }

        string prompt = RequiredString(root, "prompt", "entry", line);
        if (!root.TryGetProperty("include", out JsonElement includeArray))
        {
            throw Fail(line, "missing \"include\"");
        }

        if (includeArray.ValueKind != JsonValueKind.Array || includeArray.GetArrayLength() == 0)
        {
            throw Fail(line, "\"include\" must be a non-empty array");
        }

        var include = new List<IncludeClause>();
        foreach (JsonElement item in includeArray.EnumerateArray())
        {
            include.Add(ReadInclude(item, include.Count, line));
        }

        var exclude = new List<ExcludeClause>();
        if (root.TryGetProperty("exclude", out JsonElement excludeArray))
        {
            if (excludeArray.ValueKind != JsonValueKind.Array)
            {
                throw Fail(line, "\"exclude\" must be an array");
            }

            foreach (JsonElement item in excludeArray.EnumerateArray())
            {
                exclude.Add(ReadExclude(item, exclude.Count, line));
            }
        }

        return new GenEvalEntry(tag, prompt, include, exclude);
    }

    private static IncludeClause ReadInclude(JsonElement item, int index, int line)
    {
        string where = $"include[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Fail(line, $"{where} must be an object");
        }

        CheckKeys(item, _includeKeys, where, line);
        string className = RequiredString(item, "class", where, line);
        int count = RequiredCount(item, where, line);
        string? color = null;
        if (item.TryGetProperty("color", out JsonElement colorElement))
        {
            color = colorElement.ValueKind == JsonValueKind.String ? colorElement.GetString() : null;
            if (string.IsNullOrEmpty(color))
            {
                throw Fail(line, $"{where}.color must be a non-empty string");
            }
        }

        PositionClause? position = null;
        if (item.TryGetProperty("position", out JsonElement positionElement))
        {
            position = ReadPosition(positionElement, index, where, line);
        }

        return new IncludeClause(className, count, color, position);
    }

    private static PositionClause ReadPosition(JsonElement element, int index, string where, int line)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            throw Fail(line, $"{where}.position must be a 2-element array [relation, reference index]");
        }

        JsonElement relationElement = element[0];
        string? relationName = relationElement.ValueKind == JsonValueKind.String ? relationElement.GetString() : null;
        if (!PositionRelations.TryParse(relationName, out PositionRelation relation))
        {
            throw Fail(line, $"{where}.position has unknown relation {relationElement.GetRawText()} (expected \"left of\", \"right of\", \"above\" or \"below\")");
        }

        JsonElement referenceElement = element[1];
        if (referenceElement.ValueKind != JsonValueKind.Number || !referenceElement.TryGetInt32(out int reference))
        {
            throw Fail(line, $"{where}.position reference {referenceElement.GetRawText()} is not an integer");
        }

        if (reference < 0 || reference >= index)
        {
            throw Fail(line, $"{where}.position reference index {reference} is out of range (must name an earlier include clause, 0..{index - 1})");
        }

        return new PositionClause(relation, reference);
    }

    private static ExcludeClause ReadExclude(JsonElement item, int index, int line)
    {
        string where = $"exclude[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Fail(line, $"{where} must be an object");
        }

        CheckKeys(item, _excludeKeys, where, line);
        return new ExcludeClause(RequiredString(item, "class", where, line), RequiredCount(item, where, line));
    }

    private static int RequiredCount(JsonElement item, string where, int line)
    {
        if (!item.TryGetProperty("count", out JsonElement element))
        {
            throw Fail(line, $"{where} is missing \"count\"");
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int count) || count < 1)
        {
            throw Fail(line, $"{where}.count {element.GetRawText()} is not a positive integer");
        }

        return count;
    }

    private static string RequiredString(JsonElement item, string key, string where, int line)
    {
        if (!item.TryGetProperty(key, out JsonElement element))
        {
            throw Fail(line, $"{where} is missing \"{key}\"");
        }

        string? value = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Fail(line, $"{where}.{key} must be a non-empty string, found {element.GetRawText()}");
        }

        return value;
    }

    private static void CheckKeys(JsonElement item, string[] allowed, string where, int line)
    {
        foreach (JsonProperty property in item.EnumerateObject())
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                throw Fail(line, $"{where} has unknown key \"{property.Name}\" (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    private static GenEvalMetadataException Fail(int line, string problem) => new(line, problem);
}
