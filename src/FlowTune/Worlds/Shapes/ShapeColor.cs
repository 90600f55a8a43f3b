namespace FlowTune.Worlds.Shapes;

/// <summary>The object colours of the shapes world (a subset of GenEval's colour names).</summary>
public enum ShapeColor
{
    /// <summary>Red.</summary>
    Red,

    /// <summary>Orange.</summary>
    Orange,

    /// <summary>Yellow.</summary>
    Yellow,

    /// <summary>Green.</summary>
    Green,

    /// <summary>Blue.</summary>
    Blue,

    /// <summary>Purple.</summary>
    Purple,

    /// <summary>Pink.</summary>
    Pink,

    /// <summary>White.</summary>
    White,
}
