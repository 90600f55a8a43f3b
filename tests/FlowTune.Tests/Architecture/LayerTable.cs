namespace FlowTune.Tests.Architecture;

/// <summary>
/// The layers of <c>src/FlowTune</c> (one per top folder and namespace <c>FlowTune.X</c>) and the layers each may
/// name, bottom to top. Every edge points down: Common, Interop and Imaging depend on nothing; only Torch sees
/// Interop; Rl, on top, may use everything but Interop. A new folder or a new edge is added here on purpose.
/// </summary>
internal static class LayerTable
{
    /// <summary>Each layer's allowed layers (its own layer and sub-namespaces are always allowed).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed = new Dictionary<string, IReadOnlySet<string>>
    {
        ["Common"] = Set(),
        ["Interop"] = Set(),
        ["Imaging"] = Set(),
        ["Torch"] = Set("Interop"),
        ["Nn"] = Set("Common", "Torch"),
        ["IO"] = Set("Common", "Imaging", "Torch"),
        ["Models"] = Set("Common", "IO", "Nn", "Torch"),
        ["Sampling"] = Set("Common", "Models", "Torch"),
        ["Distributed"] = Set("Torch"),
        ["Training"] = Set("Common", "Distributed", "IO", "Models", "Nn", "Sampling", "Torch"),
        ["Worlds"] = Set("Common", "Imaging", "IO", "Models", "Torch", "Training"),
        ["Rewards"] = Set("Common", "Imaging", "IO", "Worlds"),
        ["Evaluation"] = Set("Common", "Imaging", "IO", "Models", "Sampling", "Torch", "Training", "Worlds"),
        ["Rl"] = Set("Common", "Distributed", "Imaging", "Torch", "Nn", "IO", "Models", "Sampling", "Training", "Worlds", "Rewards", "Evaluation"),
    };

    private static HashSet<string> Set(params string[] layers) => new(layers, StringComparer.Ordinal);
}
