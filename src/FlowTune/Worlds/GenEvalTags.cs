namespace FlowTune.Worlds;

/// <summary>Metadata names of <see cref="GenEvalTag"/>.</summary>
public static class GenEvalTags
{
    private static readonly string[] _names = ["single_object", "two_object", "counting", "colors", "position", "color_attr"];

    /// <summary>All six tags, in GenEval's order.</summary>
    public static IReadOnlyList<GenEvalTag> All { get; } = Enum.GetValues<GenEvalTag>();

    /// <summary>The metadata name, e.g. "color_attr".</summary>
    /// <param name="tag">The tag.</param>
    public static string Name(GenEvalTag tag) => _names[(int)tag];

    /// <summary>Parses a metadata name (exact).</summary>
    /// <param name="name">The name.</param>
    /// <param name="tag">The tag when found.</param>
    public static bool TryParse(string? name, out GenEvalTag tag)
    {
        int index = name is null ? -1 : Array.IndexOf(_names, name);
        tag = index >= 0 ? (GenEvalTag)index : default;
        return index >= 0;
    }
}
