namespace FlowTune.Worlds.Shapes;

/// <summary>One object of a scene, in pixel coordinates (x right, y down, pixel (0, 0) covers [0, 1)²).</summary>
/// <param name="Shape">The class.</param>
/// <param name="Color">The colour.</param>
/// <param name="CenterX">Centre of the bounding box, x.</param>
/// <param name="CenterY">Centre of the bounding box, y.</param>
/// <param name="Size">Side of the (square) bounding box in pixels.</param>
public sealed record SceneObject(ShapeKind Shape, ShapeColor Color, double CenterX, double CenterY, double Size)
{
    /// <summary>Left edge of the bounding box.</summary>
    public double Left => CenterX - (Size / 2);

    /// <summary>Top edge of the bounding box.</summary>
    public double Top => CenterY - (Size / 2);

    /// <summary>Right edge of the bounding box.</summary>
    public double Right => CenterX + (Size / 2);

    /// <summary>Bottom edge of the bounding box.</summary>
    public double Bottom => CenterY + (Size / 2);
}
