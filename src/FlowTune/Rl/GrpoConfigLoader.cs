using FlowTune.Common;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FlowTune.Rl;

/// <summary>Reads and writes <see cref="GrpoConfig"/> as YAML (snake_case keys; unknown keys are errors).</summary>
public static class GrpoConfigLoader
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(LowerCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(LowerCaseNamingConvention.Instance)
        .Build();

    /// <summary>Parses YAML text; errors name the line and the key.</summary>
    public static GrpoConfig Parse(string yaml, string source = "config")
    {
        GrpoConfig config;
        try
        {
            config = Reader.Deserialize<GrpoConfig?>(yaml) ?? new GrpoConfig();
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is null ? "" : $" ({e.InnerException.Message})";
            throw new InvalidDataException($"{source}:{e.Start.Line}: {e.Message}{inner}", e);
        }
        Validation.ThrowIfAny(config.Validate(), $"config {source}");
        return config;
    }

    /// <summary>Reads a YAML file.</summary>
    public static GrpoConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file not found: {path}", path);
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The config as YAML (every field, resolved).</summary>
    public static string ToYaml(GrpoConfig config) => Writer.Serialize(config);
}
