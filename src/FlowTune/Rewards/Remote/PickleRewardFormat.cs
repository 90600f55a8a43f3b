using System.Text.Json.Nodes;

namespace FlowTune.Rewards.Remote;

/// <summary>
/// The reference code's reward-server protocol (docs/REWARD_SERVER.md, "Reference pickle mode"): a pickled dict
/// <c>{"images": [bytes], "meta_datas": [dict], "only_strict": bool}</c> → a pickled dict with <c>scores</c>
/// (the reward: partial credit per image), <c>rewards</c> and <c>strict_rewards</c> (logged as components). The
/// response is decoded by <see cref="PickleReader"/>, which accepts plain data only: a pickle that names a class or
/// calls anything is refused, and nothing from the network is executed.
/// </summary>
internal sealed class PickleRewardFormat(bool onlyStrict) : IRewardWireFormat
{
    private static readonly string[] ComponentKeys = ["rewards", "strict_rewards"];

    /// <inheritdoc />
    public string ContentType => "application/octet-stream";

    /// <inheritdoc />
    public byte[] Encode(IReadOnlyList<byte[]> images, IReadOnlyList<RewardPrompt> prompts)
    {
        var request = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["images"] = images.ToList(),
            ["meta_datas"] = prompts.Select(p => Plain(RewardMetadata.ToJson(p) ?? new JsonObject { ["prompt"] = p.Prompt })).ToList(),
            ["only_strict"] = onlyStrict,
        };
        return PickleWriter.Write(request, protocol: 4);
    }

    /// <inheritdoc />
    public RewardBatch Decode(byte[] body, int count)
    {
        object? root;
        try
        {
            root = PickleReader.Read(body);
        }
        catch (PickleException e)
        {
            throw new InvalidDataException($"refused pickle: {e.Message}", e);
        }
        if (root is not Dictionary<string, object?> response)
        {
            throw new InvalidDataException($"expected a pickled dict with \"scores\", got {Kind(root)}");
        }
        var scores = RewardMetadata.Scores(Numbers(response.GetValueOrDefault("scores"), "scores"), count, "scores");
        var components = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var key in ComponentKeys.Where(response.ContainsKey))
        {
            components[key] = RewardMetadata.Scores(Numbers(response[key], key), count, key);
        }
        return new RewardBatch(scores, components);
    }

    /// <inheritdoc />
    public string ErrorText(byte[] body) => JsonRewardFormat.Snippet(body);

    private static List<double> Numbers(object? value, string what) => value is List<object?> list
        ? [.. list.Select((v, i) => v switch
        {
            double d => d,
            long l => l,
            bool => throw new InvalidDataException($"\"{what}\"[{i}] is a bool, not a number"),
            _ => throw new InvalidDataException($"\"{what}\"[{i}] is {Kind(v)}, not a number"),
        })]
        : throw new InvalidDataException($"\"{what}\" must be a list of numbers, got {Kind(value)}");

    private static string Kind(object? value) => value switch
    {
        null => "None (or missing)",
        Dictionary<string, object?> => "a dict",
        List<object?> => "a list",
        string s => $"the str '{s}'",
        byte[] => "bytes",
        double or long => $"the number {value}",
        _ => "a value of another kind",
    };

    /// <summary>A JSON node as the plain values <see cref="PickleWriter"/> writes (dicts, lists, str, numbers, bool, None).</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => Plain(kv.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v => v.ToString(),
        _ => node.ToJsonString(),
    };
}
