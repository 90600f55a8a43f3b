namespace FlowTune.Worlds.Shapes;

/// <summary>A complete scene: canvas size and objects. Rendering it is deterministic given a seed.</summary>
/// <param name="Height">Canvas rows.</param>
/// <param name="Width">Canvas columns.</param>
/// <param name="Objects">The objects, drawn in order.</param>
public sealed record Scene(int Height, int Width, IReadOnlyList<SceneObject> Objects)
{
    /// <summary>A human-readable one-line summary, e.g. "red circle@(8.0,9.5,s9.0); ...".</summary>
    public string Describe() => string.Join("; ", Objects.Select(o =>
        FormattableString.Invariant($"{ShapeVocabulary.Name(o.Color)} {ShapeVocabulary.Name(o.Shape)}@({o.CenterX:F1},{o.CenterY:F1},s{o.Size:F1})")));
}
