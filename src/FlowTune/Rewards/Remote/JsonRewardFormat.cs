using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowTune.Rewards.Remote;

/// <summary>
/// FlowTune's JSON reward protocol (docs/REWARD_SERVER.md): <c>{"images": [base64 PNG], "prompts": [...],
/// "metadata": [...]}</c> → <c>{"scores": [...], "components": {"name": [...]}}</c>. Responses are checked strictly:
/// one finite number per image in <c>scores</c> and in every component; anything else is refused with the reason.
/// </summary>
internal sealed class JsonRewardFormat : IRewardWireFormat
{
    /// <inheritdoc />
    public string ContentType => "application/json";

    /// <inheritdoc />
    public byte[] Encode(IReadOnlyList<byte[]> images, IReadOnlyList<RewardPrompt> prompts)
    {
        var request = new JsonObject
        {
            ["images"] = new JsonArray([.. images.Select(p => (JsonNode?)JsonValue.Create(Convert.ToBase64String(p)))]),
            ["prompts"] = new JsonArray([.. prompts.Select(p => (JsonNode?)JsonValue.Create(p.Prompt))]),
            ["metadata"] = new JsonArray([.. prompts.Select(RewardMetadata.ToJson)]),
        };
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    /// <inheritdoc />
    public RewardBatch Decode(byte[] body, int count)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject response)
        {
            throw new InvalidDataException($"expected a JSON object with \"scores\", got {Kind(root)}");
        }
        var scores = RewardMetadata.Scores(Numbers(response["scores"], "scores"), count, "scores");
        var components = new Dictionary<string, double[]>(StringComparer.Ordinal);
        switch (response["components"])
        {
            case null:
                break;
            case JsonObject named:
                foreach (var (name, values) in named)
                {
                    components[name] = RewardMetadata.Scores(Numbers(values, $"components.{name}"), count, $"components.{name}");
                }
                break;
            case var other:
                throw new InvalidDataException($"\"components\" must be an object of name: [scores], got {Kind(other)}");
        }
        return new RewardBatch(scores, components);
    }

    /// <inheritdoc />
    public string ErrorText(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject { } o && o["error"] is JsonValue e ? e.ToString() : Snippet(body);
        }
        catch (JsonException)
        {
            return Snippet(body);
        }
    }

    private static List<double> Numbers(JsonNode? node, string what)
    {
        if (node is not JsonArray array)
        {
            throw new InvalidDataException($"\"{what}\" must be a list of numbers, got {Kind(node)}");
        }
        var values = new List<double>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            {
                throw new InvalidDataException($"\"{what}\"[{i}] is {Kind(array[i])}, not a number");
            }
            values.Add(v.GetValue<double>());
        }
        return values;
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null (or missing)",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch { JsonValueKind.String => $"the string \"{v}\"", JsonValueKind.Number => $"the number {v}", var k => k.ToString().ToLowerInvariant() },
        _ => "something else",
    };

    /// <summary>The start of a body as text, for error messages.</summary>
    public static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300)).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(empty body)" : text + (body.Length > 300 ? " …" : "");
    }
}
