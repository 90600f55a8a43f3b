using System.Globalization;
using System.Reflection;
using FlowTune.Common;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization.NamingConventions;

namespace FlowTune.Rl.Config;

/// <summary>
/// Checks a YAML tree against the options type it will be read as, before the deserializer sees it: unknown keys
/// (with the nearest known key), values of the wrong kind (a word where a number goes, a list where a mapping
/// goes, an unknown enum name) are recorded as <see cref="ConfigProblem"/>s, and the offending keys are left out of the
/// tree it returns, so the rest still deserializes and is validated: a config's problems are reported all at once.
/// Property names follow the loader's snake_case convention.
/// </summary>
internal sealed class YamlSchema(YamlSources sources, List<ConfigProblem> problems, Func<string, IReadOnlyList<string>>? placesOf = null)
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The snake_case keys of <paramref name="type"/>'s settable properties.</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Keys(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && !p.PropertyType.IsInterface)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), StringComparer.Ordinal);

    /// <summary>Checks mapping <paramref name="node"/> as record <paramref name="type"/> at key path <paramref name="path"/>; returns the keys that are fine.</summary>
    public YamlMappingNode Record(YamlMappingNode node, Type type, string path)
    {
        var keys = Keys(type);
        var clean = new YamlMappingNode();
        foreach (var (k, v) in node.Children)
        {
            if (k is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                Add(k, path.Length == 0 ? "(key)" : path, Shown(k), "a key must be a plain name");
                continue;
            }
            var keyPath = Join(path, key);
            if (!keys.TryGetValue(key, out var property))
            {
                Add(k, keyPath, null, Unknown(key, keys.Keys, placesOf?.Invoke(key) ?? []));
                continue;
            }
            if (Value(v, property.PropertyType, keyPath, AllowsNull(property)) is { } ok)
            {
                clean.Add(k, ok);
            }
        }
        return clean;
    }

    /// <summary>
    /// "unknown key; did you mean 'x'?" for a near miss, else where the key belongs when it is a key of another
    /// section (<paramref name="elsewhere"/>: its full paths), else the known keys.
    /// </summary>
    public static string Unknown(string key, IEnumerable<string> known, IReadOnlyList<string>? elsewhere = null)
    {
        var list = known.Order(StringComparer.Ordinal).ToList();
        var nearest = list.Select(k => (Key: k, Distance: Levenshtein(key, k))).OrderBy(x => x.Distance).FirstOrDefault();
        var near = key.Length <= 4 ? 1 : Math.Max(2, key.Length / 3);
        if (nearest.Key is not null && nearest.Distance <= near)
        {
            return $"unknown key; did you mean '{nearest.Key}'?";
        }
        return elsewhere is { Count: > 0 }
            ? $"unknown key here; it is a key of {string.Join(" and ", elsewhere)}"
            : $"unknown key; known keys here: {string.Join(", ", list)}";
    }

    /// <summary>Every key path under <paramref name="type"/> (records nested), prefixed by <paramref name="path"/>.</summary>
    public static IEnumerable<string> Paths(Type type, string path)
    {
        foreach (var (key, property) in Keys(type))
        {
            var full = path.Length == 0 ? key : path + "." + key;
            yield return full;
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsClass && t != typeof(string) && !t.IsGenericType && !t.IsArray && t.GetConstructor(Type.EmptyTypes) is not null)
            {
                foreach (var inner in Paths(t, full))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Checks one value against <paramref name="type"/>; null when it is bad (the problem is recorded).</summary>
    public YamlNode? Check(YamlNode node, Type type, string path) => Value(node, type, path, allowsNull: false);

    /// <summary>Records a problem at <paramref name="node"/>.</summary>
    public void Problem(YamlNode node, string path, string? value, string expected) => Add(node, path, value, expected);

    private YamlNode? Value(YamlNode node, Type type, string path, bool allowsNull)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (IsNull(node))
        {
            if (allowsNull || underlying is not null)
            {
                return node;
            }
            return Bad(node, path, $"a value is required: expected {Describe(type)}");
        }
        type = underlying ?? type;
        if (type == typeof(string))
        {
            return node is YamlScalarNode ? node : Bad(node, path, "expected a text value");
        }
        if (type == typeof(bool))
        {
            return node is YamlScalarNode { Value: { } b } && bool.TryParse(b, out _) ? node : Bad(node, path, "expected true or false");
        }
        if (type == typeof(int) || type == typeof(long))
        {
            var max = type == typeof(int) ? int.MaxValue : long.MaxValue;
            var min = type == typeof(int) ? int.MinValue : long.MinValue;
            return node is YamlScalarNode { Value: { } i } && long.TryParse(i, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? node
                : Bad(node, path, $"expected a whole number{(type == typeof(int) ? $" (at most {int.MaxValue:N0})" : "")}");
        }
        if (type == typeof(double) || type == typeof(float))
        {
            return node is YamlScalarNode { Value: { } d } && IsNumber(d) ? node : Bad(node, path, "expected a number");
        }
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type).Select(n => UnderscoredNamingConvention.Instance.Apply(n)).ToList();
            return node is YamlScalarNode { Value: { } e } && names.Contains(e, StringComparer.OrdinalIgnoreCase)
                ? node
                : Bad(node, path, $"expected one of: {string.Join(", ", names)}");
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            if (node is not YamlMappingNode map)
            {
                return Bad(node, path, $"expected a mapping of names to {Describe(valueType)}");
            }
            var clean = new YamlMappingNode();
            foreach (var (k, v) in map.Children)
            {
                var name = (k as YamlScalarNode)?.Value;
                if (string.IsNullOrEmpty(name))
                {
                    Add(k, path, Shown(k), "a key must be a plain name");
                }
                else if (Value(v, valueType, Join(path, name), allowsNull: false) is { } ok)
                {
                    clean.Add(k, ok);
                }
            }
            return clean;
        }
        if (ElementType(type) is { } elementType)
        {
            if (node is not YamlSequenceNode sequence)
            {
                return Bad(node, path, $"expected a list of {Describe(elementType)}, e.g. [a, b]");
            }
            var clean = new YamlSequenceNode();
            var ok = true;
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (Value(sequence.Children[i], elementType, $"{path}[{i}]", allowsNull: false) is { } item)
                {
                    clean.Add(item);
                }
                else
                {
                    ok = false;
                }
            }
            return ok ? clean : null;
        }
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null)
        {
            return node is YamlMappingNode record ? Record(record, type, path) : Bad(node, path, $"expected a mapping with keys {string.Join(", ", Keys(type).Keys)}");
        }
        return node;
    }

    private YamlNode? Bad(YamlNode node, string path, string expected)
    {
        Add(node, path, Shown(node), expected);
        return null;
    }

    private void Add(YamlNode node, string path, string? value, string expected) =>
        problems.Add(new ConfigProblem(sources.FileOf(node), sources.LineOf(node), path, value, expected));

    private static bool AllowsNull(PropertyInfo property) =>
        !property.PropertyType.IsValueType && Nullability.Create(property).WriteState != NullabilityState.NotNull;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static bool IsNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || text is ".inf" or "+.inf" or "-.inf" or ".Inf" or "-.Inf" or ".nan" or ".NaN";

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "text" : type == typeof(bool) ? "true/false" : type == typeof(int) || type == typeof(long) ? "whole numbers"
            : type == typeof(double) || type == typeof(float) ? "numbers" : type.IsEnum ? "names" : "values";
    }

    private static Type? DictionaryValueType(Type type) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() is var g
            && (g == typeof(Dictionary<,>) || g == typeof(IDictionary<,>) || g == typeof(IReadOnlyDictionary<,>))
            && type.GetGenericArguments()[0] == typeof(string))
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (type.IsGenericType)
        {
            var g = type.GetGenericTypeDefinition();
            if (g == typeof(List<>) || g == typeof(IList<>) || g == typeof(IReadOnlyList<>) || g == typeof(IEnumerable<>) || g == typeof(IReadOnlyCollection<>) || g == typeof(ICollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }
        return null;
    }

    /// <summary>How a value is shown in a message: a scalar as written, a mapping or list by its kind.</summary>
    public static string Shown(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlMappingNode => "{…}",
        YamlSequenceNode => "[…]",
        _ => "?",
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}

/// <summary>Which file each node of a merged config tree (<c>base:</c> chains) came from, and its line there.</summary>
internal sealed class YamlSources(string fallback)
{
    private readonly Dictionary<YamlNode, string> _files = new(ReferenceEqualityComparer.Instance);

    /// <summary>Records every node under <paramref name="root"/> as read from <paramref name="file"/>.</summary>
    public void Add(YamlNode root, string file)
    {
        foreach (var node in root.AllNodes)
        {
            _files.TryAdd(node, file);
        }
    }

    /// <summary>The file <paramref name="node"/> was read from (the top config when it was made by a merge).</summary>
    public string FileOf(YamlNode node) => _files.TryGetValue(node, out var f) ? f : fallback;

    /// <summary>The 1-based line of <paramref name="node"/> when it was read from a file; null for merged nodes.</summary>
    public int? LineOf(YamlNode node) => _files.ContainsKey(node) && node.Start.Line > 0 ? (int)node.Start.Line : null;
}
