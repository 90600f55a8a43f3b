using FlowTune.Common;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FlowTune.Rl.Config;

/// <summary>
/// Reads and writes <see cref="RlConfig"/> as YAML (snake_case keys; unknown keys are errors naming the line).
/// A file may start from another: <c>base: shapes-grpo.yaml</c> (relative to the file) loads that file first and
/// overlays this one key by key (mappings merge, everything else replaces; a stage section whose <c>name</c> differs
/// from the base's replaces the base's section whole). Chains are allowed; cycles are errors.
/// </summary>
public static class RlConfigLoader
{
    private const string BaseKey = "base", NameKey = "name";

    private static readonly IDeserializer Reader = IgnoreStageSections(new DeserializerBuilder())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Writer = IgnoreStageSections(new SerializerBuilder())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeInspector(inner => new SettablePropertiesOnly(inner))
        .Build();

    /// <summary>The stage sections are read and written by their registries, not as RlConfig properties.</summary>
    private static TBuilder IgnoreStageSections<TBuilder>(TBuilder builder)
        where TBuilder : YamlDotNet.Serialization.BuilderSkeleton<TBuilder>
    {
        builder.WithAttributeOverride<RlConfig>(c => c.Groups, new YamlIgnoreAttribute());
        builder.WithAttributeOverride<RlConfig>(c => c.Advantages, new YamlIgnoreAttribute());
        builder.WithAttributeOverride<RlConfig>(c => c.Objective, new YamlIgnoreAttribute());
        return builder;
    }

    /// <summary>Parses YAML text (<c>base:</c> paths resolve against <paramref name="directory"/>); errors name the source and line.</summary>
    public static RlConfig Parse(string yaml, string source = "config", string? directory = null)
    {
        var root = Read(yaml, source, directory ?? Directory.GetCurrentDirectory(), [source]);
        var config = Build(root, source);
        Validation.ThrowIfAny(config.Validate(), $"config {source}");
        return config;
    }

    /// <summary>Reads a YAML file (and the files it inherits from).</summary>
    public static RlConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file not found: {path}", path);
        }
        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>The config as YAML (every field, resolved; no <c>base:</c>).</summary>
    public static string ToYaml(RlConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = Writer.Serialize(config);
        return text + Section(GroupPlanners.Registry, config.Groups) + Section(AdvantageEstimators.Registry, config.Advantages)
            + Section(PolicyObjectives.Registry, config.Objective);
    }

    private static string Section<T>(OptionsRegistry<T> registry, T options)
        where T : class
    {
        var body = Writer.Serialize(options).TrimEnd();
        var lines = body.Length == 0 || body == "{}" ? [] : body.Split('\n').Select(l => "  " + l.TrimEnd('\r'));
        return $"{registry.Section}:\n  {NameKey}: {registry.NameOf(options)}\n" + string.Concat(lines.Select(l => l + "\n"));
    }

    /// <summary>The file's mapping with its bases merged in.</summary>
    private static YamlMappingNode Read(string yaml, string source, string directory, List<string> chain)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new InvalidDataException($"{source}: a config must be a mapping of keys");
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{source}:{e.Start.Line}: {e.Message}", e);
        }
        if (!root.Children.TryGetValue(new YamlScalarNode(BaseKey), out var baseNode))
        {
            return root;
        }
        root.Children.Remove(new YamlScalarNode(BaseKey));
        var relative = (baseNode as YamlScalarNode)?.Value ?? throw new InvalidDataException($"{source}:{baseNode.Start.Line}: base must be a file path");
        var path = Path.GetFullPath(Path.Combine(directory, relative));
        if (chain.Contains(path))
        {
            throw new InvalidDataException($"{source}: base chain is a cycle: {string.Join(" → ", chain.Append(path))}");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{source}:{baseNode.Start.Line}: base config not found: {path}", path);
        }
        var parent = Read(File.ReadAllText(path), path, Path.GetDirectoryName(path)!, [.. chain, path]);
        return Merge(parent, root, topLevel: true);
    }

    /// <summary><paramref name="child"/> over <paramref name="parent"/>: mappings merge key by key, other values replace.</summary>
    private static YamlMappingNode Merge(YamlMappingNode parent, YamlMappingNode child, bool topLevel)
    {
        var merged = new YamlMappingNode();
        foreach (var (key, value) in parent.Children)
        {
            merged.Add(key, value);
        }
        foreach (var (key, value) in child.Children)
        {
            if (merged.Children.TryGetValue(key, out var old) && old is YamlMappingNode oldMap && value is YamlMappingNode newMap
                && !(topLevel && NameOf(newMap) is { } name && name != NameOf(oldMap)))
            {
                merged.Children[key] = Merge(oldMap, newMap, topLevel: false);
            }
            else
            {
                merged.Children[key] = value;
            }
        }
        return merged;
    }

    private static string? NameOf(YamlMappingNode section) =>
        section.Children.TryGetValue(new YamlScalarNode(NameKey), out var n) ? (n as YamlScalarNode)?.Value : null;

    private static RlConfig Build(YamlMappingNode root, string source)
    {
        var groups = TakeSection(root, GroupPlanners.Registry, source);
        var advantages = TakeSection(root, AdvantageEstimators.Registry, source);
        var objective = TakeSection(root, PolicyObjectives.Registry, source);
        var config = Deserialize<RlConfig>(root, typeof(RlConfig), source, section: null);
        return config with { Groups = groups, Advantages = advantages, Objective = objective };
    }

    /// <summary>Removes a stage section from the root and reads it as its registered options type.</summary>
    private static T TakeSection<T>(YamlMappingNode root, OptionsRegistry<T> registry, string source)
        where T : class
    {
        var key = new YamlScalarNode(registry.Section);
        if (!root.Children.TryGetValue(key, out var node))
        {
            return registry.CreateDefault();
        }
        root.Children.Remove(key);
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return registry.CreateDefault();
        }
        var section = node as YamlMappingNode ?? throw new InvalidDataException($"{source}:{node.Start.Line}: {registry.Section} must be a mapping");
        var body = new YamlMappingNode();
        string? name = null;
        foreach (var (k, v) in section.Children)
        {
            if (k is YamlScalarNode { Value: NameKey })
            {
                name = (v as YamlScalarNode)?.Value;
            }
            else
            {
                body.Add(k, v);
            }
        }
        Type type;
        try
        {
            type = name is null ? registry.CreateDefault().GetType() : registry.TypeOf(name);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}:{section.Start.Line}: {e.Message}", e);
        }
        return Deserialize<T>(body, type, source, registry.Section);
    }

    private static T Deserialize<T>(YamlMappingNode node, Type type, string source, string? section)
    {
        try
        {
            return (T)(Reader.Deserialize(new YamlNodeParser(node), type) ?? Activator.CreateInstance(type)!);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is null ? "" : $" ({e.InnerException.Message})";
            throw new InvalidDataException($"{source}:{e.Start.Line}: {(section is null ? "" : section + ": ")}{e.Message}{inner}", e);
        }
    }

    /// <summary>Writes only the properties a config can set (computed ones such as ImagesPerEpoch are left out).</summary>
    private sealed class SettablePropertiesOnly(ITypeInspector inner) : YamlDotNet.Serialization.TypeInspectors.TypeInspectorSkeleton
    {
        public override string GetEnumName(Type enumType, string name) => inner.GetEnumName(enumType, name);

        public override string GetEnumValue(object enumValue) => inner.GetEnumValue(enumValue);

        public override IEnumerable<IPropertyDescriptor> GetProperties(Type type, object? container) =>
            inner.GetProperties(type, container).Where(p => p.CanWrite);
    }
}
