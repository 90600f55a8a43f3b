namespace FlowTune.Worlds;

/// <summary>An axis-aligned box in pixel coordinates (x right, y down); edges are continuous positions.</summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge (greater than or equal to <paramref name="X1"/>).</param>
/// <param name="Y2">Bottom edge (greater than or equal to <paramref name="Y1"/>).</param>
public readonly record struct BoundingBox(double X1, double Y1, double X2, double Y2)
{
    /// <summary>Width.</summary>
    public double Width => X2 - X1;

    /// <summary>Height.</summary>
    public double Height => Y2 - Y1;

    /// <summary>Centre x.</summary>
    public double CenterX => (X1 + X2) / 2;

    /// <summary>Centre y.</summary>
    public double CenterY => (Y1 + Y2) / 2;
}
