using System.Text.Json;

namespace FlowTune.Models.Pretrained;

/// <summary>
/// Reads a diffusers/transformers <c>config.json</c> field by field, collecting every problem (wrong type, value
/// out of range, field FlowTune does not support) instead of stopping at the first. Fields whose names start with
/// '_' (<c>_class_name</c>, <c>_diffusers_version</c>) and those passed as ignorable are bookkeeping and skipped;
/// any other field that no getter asked for is reported by <see cref="ThrowIfProblems"/> as unsupported, because a
/// field we silently ignore is a model we would silently compute wrong.
/// </summary>
public sealed class ConfigJson
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ignorable;
    private readonly List<string> _problems = [];

    private ConfigJson(string path, JsonElement root, IEnumerable<string> ignorable)
    {
        Path = path;
        _ignorable = new HashSet<string>(ignorable, StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
        {
            _fields[p.Name] = p.Value.Clone();
        }
    }

    /// <summary>The file read (named in every error).</summary>
    public string Path { get; }

    /// <summary>Parses <paramref name="path"/>; a missing file or invalid JSON is an error naming the file.</summary>
    public static ConfigJson Open(string path, IEnumerable<string>? ignorable = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: config file not found", path);
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected a JSON object, found {doc.RootElement.ValueKind}");
            }
            return new ConfigJson(path, doc.RootElement, ignorable ?? []);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>The raw string field <paramref name="name"/>, or null when absent or null.</summary>
    public string? String(string name)
    {
        var e = Field(name);
        if (e is null)
        {
            return null;
        }
        if (e.Value.ValueKind != JsonValueKind.String)
        {
            Problem(name, e.Value, "a string");
            return null;
        }
        return e.Value.GetString();
    }

    /// <summary>An integer field; <paramref name="fallback"/> when absent; <paramref name="min"/> is checked.</summary>
    public int Int(string name, int fallback, int min = int.MinValue)
    {
        var v = NullableInt(name, min);
        return v ?? fallback;
    }

    /// <summary>An integer field that may be null (null when absent).</summary>
    public int? NullableInt(string name, int min = int.MinValue)
    {
        var e = Field(name);
        if (e is null)
        {
            return null;
        }
        if (e.Value.ValueKind != JsonValueKind.Number || !e.Value.TryGetInt32(out var v))
        {
            Problem(name, e.Value, "an integer");
            return null;
        }
        if (v < min)
        {
            Problem(name, e.Value, $"an integer ≥ {min}");
            return null;
        }
        return v;
    }

    /// <summary>A number field; <paramref name="fallback"/> when absent.</summary>
    public double Double(string name, double fallback)
    {
        var e = Field(name);
        if (e is null)
        {
            return fallback;
        }
        if (e.Value.ValueKind != JsonValueKind.Number)
        {
            Problem(name, e.Value, "a number");
            return fallback;
        }
        return e.Value.GetDouble();
    }

    /// <summary>A boolean field; <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string name, bool fallback)
    {
        var e = Field(name);
        if (e is null)
        {
            return fallback;
        }
        if (e.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Problem(name, e.Value, "true or false");
            return fallback;
        }
        return e.Value.GetBoolean();
    }

    /// <summary>A list of integers (absent or null: empty).</summary>
    public int[] IntList(string name)
    {
        var e = Field(name);
        if (e is null)
        {
            return [];
        }
        if (e.Value.ValueKind != JsonValueKind.Array || e.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out _)))
        {
            Problem(name, e.Value, "a list of integers");
            return [];
        }
        return e.Value.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    }

    /// <summary>A list of strings (absent or null: empty).</summary>
    public string[] StringList(string name)
    {
        var e = Field(name);
        if (e is null)
        {
            return [];
        }
        if (e.Value.ValueKind != JsonValueKind.Array || e.Value.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
        {
            Problem(name, e.Value, "a list of strings");
            return [];
        }
        return e.Value.EnumerateArray().Select(x => x.GetString()!).ToArray();
    }

    /// <summary>A string field that must be one of <paramref name="supported"/> (null in the list allows absent or null).</summary>
    public string? OneOf(string name, params string?[] supported)
    {
        var e = Field(name);
        var v = e is { ValueKind: JsonValueKind.String } ? e.Value.GetString() : null;
        if ((e is not null && e.Value.ValueKind != JsonValueKind.String) || !supported.Contains(v))
        {
            var shown = e?.GetRawText() ?? "(absent)";
            _problems.Add($"{name}: {shown}: expected one of {string.Join(", ", supported.Select(s => s is null ? "null" : $"\"{s}\""))} (FlowTune supports no other)");
            return supported[0];
        }
        return v;
    }

    /// <summary>True when field <paramref name="name"/> is absent or null.</summary>
    public bool IsNull(string name) => Field(name) is null;

    /// <summary>Records a cross-field or range problem (named in the final error).</summary>
    public void Require(bool condition, string name, string expected)
    {
        if (!condition)
        {
            var shown = _fields.TryGetValue(name, out var e) ? e.GetRawText() : "(absent)";
            _problems.Add($"{name}: {shown}: {expected}");
        }
    }

    /// <summary>Throws one error listing every problem and every unsupported field, if there is any.</summary>
    public void ThrowIfProblems(string what)
    {
        var unknown = _fields.Keys.Where(k => !k.StartsWith('_') && !_read.Contains(k) && !_ignorable.Contains(k)).Order(StringComparer.Ordinal);
        var all = _problems.Concat(unknown.Select(k => $"{k}: {_fields[k].GetRawText()}: a field FlowTune's {what} does not support")).ToList();
        if (all.Count > 0)
        {
            throw new InvalidDataException($"{Path}: {string.Join("; ", all)}");
        }
    }

    private JsonElement? Field(string name)
    {
        _read.Add(name);
        return _fields.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;
    }

    private void Problem(string name, JsonElement value, string expected) => _problems.Add($"{name}: {value.GetRawText()}: expected {expected}");
}
