using System.Text.Json;
using System.Text.Json.Nodes;
using FlowTune.IO;
using FlowTune.Worlds;

namespace FlowTune.Rewards.Remote;

/// <summary>How a batch is written into a request body and how a response body becomes scores (docs/REWARD_SERVER.md).</summary>
internal interface IRewardWireFormat
{
    /// <summary>The request's content type.</summary>
    string ContentType { get; }

    /// <summary>The request body for <paramref name="images"/> (encoded PNG or JPEG files) and their prompts.</summary>
    byte[] Encode(IReadOnlyList<byte[]> images, IReadOnlyList<RewardPrompt> prompts);

    /// <summary>The scores of <paramref name="count"/> images; <see cref="InvalidDataException"/> saying what is wrong otherwise.</summary>
    RewardBatch Decode(byte[] body, int count);

    /// <summary>The error text of a failed response (for the exception), when the body holds one.</summary>
    string ErrorText(byte[] body);
}

/// <summary>Prompt metadata as plain data (GenEval entries in their JSONL form), shared by the wire formats.</summary>
internal static class RewardMetadata
{
    /// <summary>The metadata of <paramref name="prompt"/> as a JSON node (null when it has none).</summary>
    public static JsonNode? ToJson(RewardPrompt prompt) => prompt.Metadata switch
    {
        null => null,
        GenEvalEntry entry => JsonNode.Parse(GenEvalMetadata.ToJsonLine(entry)),
        var other => JsonSerializer.SerializeToNode(other, other.GetType(), Json.Options),
    };

    /// <summary>Checks that a decoded score list has one finite number per image.</summary>
    public static double[] Scores(IReadOnlyList<double> values, int count, string what)
    {
        if (values.Count != count)
        {
            throw new InvalidDataException($"{what} has {values.Count} values for {count} images");
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidDataException($"{what}[{i}] is {values[i]}, not a finite number");
            }
        }
        return [.. values];
    }
}
