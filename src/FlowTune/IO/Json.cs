using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowTune.IO;

/// <summary>FlowTune's JSON conventions: snake_case names, indented, enums as strings; atomic file writes.</summary>
public static class Json
{
    /// <summary>Options used for every config, state and report file.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serializes <paramref name="value"/> to <paramref name="path"/> (temp file + rename).</summary>
    public static void Write<T>(string path, T value)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(value, Options));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a file written by <see cref="Write{T}"/>, naming the file on failure.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"{path}: empty JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
