namespace FlowTune.Worlds.Shapes;

/// <summary>The object classes of the shapes world. Prompts use the lower-case names (see <see cref="ShapeVocabulary"/>).</summary>
public enum ShapeKind
{
    /// <summary>A filled disc.</summary>
    Circle,

    /// <summary>A filled axis-aligned square.</summary>
    Square,

    /// <summary>A filled isosceles triangle pointing up.</summary>
    Triangle,

    /// <summary>A plus sign: two bars of a third of the size.</summary>
    Cross,

    /// <summary>An annulus.</summary>
    Ring,
}
