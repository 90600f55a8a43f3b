namespace FlowTune.IO;

/// <summary>The parsed, structurally valid contents of a safetensors JSON header.</summary>
/// <param name="Metadata">The <c>__metadata__</c> map, empty if absent.</param>
/// <param name="Tensors">The tensor entries in header order.</param>
internal sealed record SafeTensorsHeader(IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensorInfo> Tensors)
{
    /// <summary>The reserved header key holding string metadata.</summary>
    internal const string MetadataKey = "__metadata__";
}
