namespace FlowTune.Worlds;

/// <summary>GenEval's six task categories (metadata <c>"tag"</c>).</summary>
public enum GenEvalTag
{
    /// <summary>"single_object": "a photo of a circle".</summary>
    SingleObject,

    /// <summary>"two_object": "a photo of a circle and a square".</summary>
    TwoObject,

    /// <summary>"counting": "a photo of three rings".</summary>
    Counting,

    /// <summary>"colors": "a photo of a blue triangle".</summary>
    Colors,

    /// <summary>"position": "a photo of a cross left of a ring".</summary>
    Position,

    /// <summary>"color_attr": "a photo of a red circle and a green square".</summary>
    ColorAttr,
}
