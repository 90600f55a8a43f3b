namespace FlowTune.Worlds;

/// <summary>
/// What a binding prompt says, independent of its wording, and its mirror image: "a cross left of a ring" and "a ring
/// right of a cross" say the same (the cross is left); its mirror says the ring is left. "a red cross and a blue
/// ring" and "a blue ring and a red cross" say the same; its mirror is "a blue cross and a red ring". A test prompt
/// whose mirror was trained on asks for word order, not a memorised pair (docs/RESULTS.md, issue 19).
/// </summary>
public static class GenEvalMeaning
{
    /// <summary>The meaning of a position or colour-attribution entry; null for the other tags.</summary>
    public static string? Key(GenEvalEntry entry) => Describe(entry, mirrored: false);

    /// <summary>The meaning of the entry's mirror image (objects swapped in the relation, colours swapped between the objects); null for the other tags.</summary>
    public static string? MirrorKey(GenEvalEntry entry) => Describe(entry, mirrored: true);

    private static string? Describe(GenEvalEntry entry, bool mirrored)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Tag == GenEvalTag.Position && entry.Include is [var reference, { Position: { } position } subject])
        {
            var (a, b) = mirrored ? (reference.ClassName, subject.ClassName) : (subject.ClassName, reference.ClassName);
            // "a relation b" on its axis, first-on-the-axis object first
            return position.Relation switch
            {
                PositionRelation.LeftOf => $"{a}<x<{b}",
                PositionRelation.RightOf => $"{b}<x<{a}",
                PositionRelation.Above => $"{a}<y<{b}",
                _ => $"{b}<y<{a}",
            };
        }
        if (entry.Tag == GenEvalTag.ColorAttr && entry.Include is [{ Color: { } ca } first, { Color: { } cb } second])
        {
            var (x, y) = mirrored ? ($"{cb} {first.ClassName}", $"{ca} {second.ClassName}") : ($"{ca} {first.ClassName}", $"{cb} {second.ClassName}");
            return string.CompareOrdinal(x, y) < 0 ? $"{x}+{y}" : $"{y}+{x}";
        }
        return null;
    }
}
