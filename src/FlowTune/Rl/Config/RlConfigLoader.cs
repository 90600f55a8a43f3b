using FlowTune.Common;
using FlowTune.Rewards;
using FlowTune.Rewards.Remote;
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
    private const string BaseKey = "base", NameKey = "name", RewardKey = "reward";

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
        builder.WithAttributeOverride<RlConfig>(c => c.Reward, new YamlIgnoreAttribute());
        return builder;
    }

    /// <summary>
    /// Parses YAML text (<c>base:</c> paths resolve against <paramref name="directory"/>). Every problem is reported at
    /// once in a <see cref="ConfigException"/>, each naming its file, line, key path, value and what is expected;
    /// with <paramref name="checkFiles"/> the files and folders the config names must exist (relative to the working
    /// directory). <paramref name="adjust"/> (command-line overrides) applies to the parsed config before it is validated
    /// and its files are checked.
    /// </summary>
    public static RlConfig Parse(string yaml, string source = "config", string? directory = null, bool checkFiles = false, Func<RlConfig, RlConfig>? adjust = null)
    {
        var sources = new YamlSources(source);
        var problems = new List<ConfigProblem>();
        var root = Read(yaml, source, directory ?? Directory.GetCurrentDirectory(), [source], sources);
        var config = Build(root, sources, problems);
        config = adjust?.Invoke(config) ?? config;
        // a key left out for a schema problem keeps its default: what validation then says of that key or its parents is noise
        var left = problems.Select(p => p.Path).ToList();
        problems.AddRange(config.Validate().Select(m => FromMessage(m, root, sources))
            .Where(p => !left.Any(l => l == p.Path || l.StartsWith(p.Path + ".", StringComparison.Ordinal) || p.Path.StartsWith(l + ".", StringComparison.Ordinal))));
        if (checkFiles)
        {
            problems.AddRange(MissingFiles(config).Select(m => FromMessage(m, root, sources)));
        }
        if (problems.Count > 0)
        {
            throw new ConfigException(source, [.. problems.Distinct().OrderBy(p => p.Source == source ? 1 : 0).ThenBy(p => p.Line ?? int.MaxValue)]);
        }
        return config;
    }

    /// <summary>Reads a YAML file (and the files it inherits from); see <see cref="Parse"/>.</summary>
    public static RlConfig Load(string path, bool checkFiles = false, Func<RlConfig, RlConfig>? adjust = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file not found: {path}", path);
        }
        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)), checkFiles, adjust);
    }

    /// <summary>The config as YAML (every field, resolved; no <c>base:</c>).</summary>
    public static string ToYaml(RlConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = Writer.Serialize(config);
        return text + RewardSection(config.Reward) + Section(GroupPlanners.Registry, config.Groups) + Section(AdvantageEstimators.Registry, config.Advantages)
            + Section(PolicyObjectives.Registry, config.Objective);
    }

    private static string Section<T>(OptionsRegistry<T> registry, T options)
        where T : class
    {
        var body = Writer.Serialize(options).TrimEnd();
        var lines = body.Length == 0 || body == "{}" ? [] : body.Split('\n').Select(l => "  " + l.TrimEnd('\r'));
        return $"{registry.Section}:\n  {NameKey}: {registry.NameOf(options)}\n" + string.Concat(lines.Select(l => l + "\n"));
    }

    /// <summary><c>reward:</c> as written: the in-process rewards' weights, then <c>remote:</c> when a server is set.</summary>
    private static string RewardSection(RewardOptions reward)
    {
        static string Indent(string body, string pad) =>
            string.Concat(body.TrimEnd().Split('\n').Where(l => l.Trim().Length > 0 && l.Trim() != "{}").Select(l => pad + l.TrimEnd('\r') + "\n"));
        var text = "reward:\n" + Indent(Writer.Serialize(reward.Weights), "  ");
        return reward.Remote is { } remote ? text + $"  {RewardOptions.RemoteKey}:\n" + Indent(Writer.Serialize(remote), "    ") : text;
    }

    /// <summary>Removes <c>reward:</c> from the root and reads it: registered reward names with numeric weights, and <c>remote:</c>.</summary>
    private static RewardOptions TakeReward(YamlMappingNode root, YamlSources sources, YamlSchema schema, List<ConfigProblem> problems)
    {
        var key = new YamlScalarNode(RewardKey);
        if (!root.Children.TryGetValue(key, out var node))
        {
            return new RewardOptions();
        }
        root.Children.Remove(key);
        if (node is not YamlMappingNode section)
        {
            schema.Problem(node, RewardKey, YamlSchema.Shown(node), "expected a mapping of reward names to weights, e.g. {geneval: 1.0}, or {remote: {url: ...}}");
            return new RewardOptions();
        }
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        RemoteRewardOptions? remote = null;
        var known = RewardRegistry.Names.Append(RewardOptions.RemoteKey).ToList();
        foreach (var (k, v) in section.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var path = $"{RewardKey}.{name}";
            if (name == RewardOptions.RemoteKey)
            {
                if (schema.Check(v, typeof(RemoteRewardOptions), path) is YamlMappingNode body)
                {
                    remote = Deserialize<RemoteRewardOptions>(body, typeof(RemoteRewardOptions), sources, problems, path);
                }
            }
            else if (!RewardRegistry.Names.Contains(name))
            {
                schema.Problem(k, path, null, YamlSchema.Unknown(name, known).Replace("unknown key", "unknown reward", StringComparison.Ordinal));
            }
            else if (schema.Check(v, typeof(double), path) is YamlScalarNode { Value: { } weight })
            {
                weights[name] = double.Parse(weight, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return new RewardOptions { Weights = weights, Remote = remote };
    }

    /// <summary>The files and folders the config names that do not exist.</summary>
    private static IEnumerable<string> MissingFiles(RlConfig config)
    {
        var cwd = Directory.GetCurrentDirectory();
        var model = config.Pretrained.Model;
        if (!string.IsNullOrWhiteSpace(model) && !Directory.Exists(model) && !File.Exists(model))
        {
            yield return $"pretrained.model: {model}: no such model folder (relative to the working directory {cwd})";
        }
        foreach (var (key, file) in new[] { ("prompts.train", config.Prompts.Train), ("prompts.test", config.Prompts.Test) })
        {
            if (file is not null && !File.Exists(file))
            {
                yield return $"{key}: {file}: no such prompt file (relative to the working directory {cwd})";
            }
        }
    }

    /// <summary>The file's mapping with its bases merged in.</summary>
    private static YamlMappingNode Read(string yaml, string source, string directory, List<string> chain, YamlSources sources)
    {
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
                ?? throw new ConfigException(source, [new ConfigProblem(source, 1, "(file)", null, "a config must be a mapping of keys")]);
        }
        catch (YamlException e)
        {
            throw new ConfigException(source, [new ConfigProblem(source, (int)e.Start.Line, "(syntax)", null, e.Message)]);
        }
        sources.Add(root, source);
        if (!root.Children.TryGetValue(new YamlScalarNode(BaseKey), out var baseNode))
        {
            return root;
        }
        root.Children.Remove(new YamlScalarNode(BaseKey));
        var relative = (baseNode as YamlScalarNode)?.Value
            ?? throw new ConfigException(source, [new ConfigProblem(source, sources.LineOf(baseNode), BaseKey, null, "expected a file path")]);
        var path = Path.GetFullPath(Path.Combine(directory, relative));
        if (chain.Contains(path))
        {
            throw new ConfigException(source, [new ConfigProblem(source, sources.LineOf(baseNode), BaseKey, relative, $"the base chain is a cycle: {string.Join(" → ", chain.Append(path))}")]);
        }
        if (!File.Exists(path))
        {
            throw new ConfigException(source, [new ConfigProblem(source, sources.LineOf(baseNode), BaseKey, relative, $"no such base config ({path})")]);
        }
        var parent = Read(File.ReadAllText(path), path, Path.GetDirectoryName(path)!, [.. chain, path], sources);
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
            var replacement = value;
            if (merged.Children.TryGetValue(key, out var old) && old is YamlMappingNode oldMap && value is YamlMappingNode newMap
                && !(topLevel && NameOf(newMap) is { } name && name != NameOf(oldMap)))
            {
                replacement = Merge(oldMap, newMap, topLevel: false);
            }
            // the child's key node replaces the parent's, so problems name the child's file and line
            merged.Children.Remove(key);
            merged.Add(key, replacement);
        }
        return merged;
    }

    private static string? NameOf(YamlMappingNode section) =>
        section.Children.TryGetValue(new YamlScalarNode(NameKey), out var n) ? (n as YamlScalarNode)?.Value : null;

    /// <summary>The config from the merged tree; type errors and unknown keys go to <paramref name="problems"/> and their keys keep their defaults.</summary>
    private static RlConfig Build(YamlMappingNode merged, YamlSources sources, List<ConfigProblem> problems)
    {
        var root = new YamlMappingNode(merged.Children);
        var schema = new YamlSchema(sources, problems, key => Places.Value.GetValueOrDefault(key) ?? []);
        var groups = TakeSection(root, GroupPlanners.Registry, sources, schema, problems);
        var advantages = TakeSection(root, AdvantageEstimators.Registry, sources, schema, problems);
        var objective = TakeSection(root, PolicyObjectives.Registry, sources, schema, problems);
        var reward = TakeReward(root, sources, schema, problems);
        var config = Deserialize<RlConfig>(schema.Record(root, typeof(RlConfig), ""), typeof(RlConfig), sources, problems, "");
        return config with { Groups = groups, Advantages = advantages, Objective = objective, Reward = reward };
    }

    /// <summary>Every key of a config → the paths it is valid at (stage sections: per implementation, e.g. <c>objective.beta (grpo, nft)</c>).</summary>
    private static readonly Lazy<Dictionary<string, IReadOnlyList<string>>> Places = new(() =>
    {
        var paths = YamlSchema.Paths(typeof(RlConfig), "").ToList();
        void AddSection<T>(OptionsRegistry<T> registry)
            where T : class
        {
            var byKey = registry.Names.SelectMany(n => YamlSchema.Keys(registry.TypeOf(n)).Keys.Select(k => (Key: k, Name: n))).GroupBy(x => x.Key);
            paths.AddRange(byKey.Select(g => $"{registry.Section}.{g.Key} ({string.Join(", ", g.Select(x => x.Name))})"));
        }
        AddSection(GroupPlanners.Registry);
        AddSection(AdvantageEstimators.Registry);
        AddSection(PolicyObjectives.Registry);
        return paths.GroupBy(p => p.Split(' ')[0].Split('.')[^1], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g], StringComparer.Ordinal);
    });

    /// <summary>Removes a stage section from the root and reads it as its registered options type.</summary>
    private static T TakeSection<T>(YamlMappingNode root, OptionsRegistry<T> registry, YamlSources sources, YamlSchema schema, List<ConfigProblem> problems)
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
        if (node is not YamlMappingNode section)
        {
            problems.Add(new ConfigProblem(sources.FileOf(node), sources.LineOf(node), registry.Section, YamlSchema.Shown(node), $"expected a mapping with {NameKey}: one of {string.Join(", ", registry.Names)}"));
            return registry.CreateDefault();
        }
        var body = new YamlMappingNode();
        YamlNode? nameNode = null;
        foreach (var (k, v) in section.Children)
        {
            if (k is YamlScalarNode { Value: NameKey })
            {
                nameNode = v;
            }
            else
            {
                body.Add(k, v);
            }
        }
        var name = (nameNode as YamlScalarNode)?.Value;
        if (nameNode is not null && (name is null || !registry.Names.Contains(name)))
        {
            problems.Add(new ConfigProblem(sources.FileOf(nameNode), sources.LineOf(nameNode), $"{registry.Section}.{NameKey}", YamlSchema.Shown(nameNode),
                $"expected one of: {string.Join(", ", registry.Names)}"));
            return registry.CreateDefault();
        }
        var type = name is null ? registry.CreateDefault().GetType() : registry.TypeOf(name);
        return Deserialize<T>(schema.Record(body, type, registry.Section), type, sources, problems, registry.Section);
    }

    private static T Deserialize<T>(YamlMappingNode node, Type type, YamlSources sources, List<ConfigProblem> problems, string section)
    {
        try
        {
            return (T)(Reader.Deserialize(new YamlNodeParser(node), type) ?? Activator.CreateInstance(type)!);
        }
        catch (YamlException e)
        {
            // the schema check passes what the deserializer reads; a value it let through and the deserializer refused
            var inner = e.InnerException is null ? "" : $" ({e.InnerException.Message})";
            var at = node.AllNodes.FirstOrDefault(n => n.Start.Line == e.Start.Line && n.Start.Column == e.Start.Column) ?? node;
            problems.Add(new ConfigProblem(sources.FileOf(at), sources.LineOf(at) ?? (int)e.Start.Line, section.Length == 0 ? "(config)" : section, null, e.Message + inner));
            return (T)Activator.CreateInstance(type)!;
        }
    }

    /// <summary>
    /// A validation message (<c>objective.clip_range must be positive, got -1</c>) as a problem at the line of the key
    /// it names (the nearest key of its path that the files set; none when the value is a default).
    /// </summary>
    private static ConfigProblem FromMessage(string message, YamlMappingNode root, YamlSources sources)
    {
        if (ConfigProblem.Split(message) is not { } split || !IsTopLevelKey(split.Path.Split('.')[0]))
        {
            return new ConfigProblem(sources.FileOf(root), null, "(config)", null, message);
        }
        var node = Find(root, split.Path);
        return new ConfigProblem(node is null ? sources.FileOf(root) : sources.FileOf(node), node is null ? null : sources.LineOf(node), split.Path, split.Value, split.Expected);
    }

    private static bool IsTopLevelKey(string key) =>
        YamlSchema.Keys(typeof(RlConfig)).ContainsKey(key) || key == GroupPlanners.Registry.Section
        || key == AdvantageEstimators.Registry.Section || key == PolicyObjectives.Registry.Section;

    /// <summary>The key node of the deepest part of <paramref name="path"/> the tree holds.</summary>
    private static YamlNode? Find(YamlMappingNode root, string path)
    {
        YamlNode? found = null;
        YamlNode current = root;
        foreach (var part in path.Split('.'))
        {
            if (current is not YamlMappingNode map)
            {
                break;
            }
            var entry = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: { } v } && v == part);
            if (entry.Key is null)
            {
                break;
            }
            found = entry.Key;
            current = entry.Value;
        }
        return found;
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
