namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Exact point-in-shape tests, in pixels relative to the object's bounding-box centre (x right, y down).
/// Every shape fills a square bounding box of side <c>size</c>: circle and ring touch it at four points, square,
/// triangle and cross touch all four sides.
/// </summary>
public static class ShapeGeometry
{
    /// <summary>Cross bar thickness as a fraction of the size.</summary>
    public const double CrossBarFraction = 1.0 / 3.0;

    /// <summary>Ring hole radius as a fraction of the outer radius.</summary>
    public const double RingInnerFraction = 0.5;

    /// <summary>
    /// Vertical offset of the shape's area centroid from its bounding-box centre: size/6 (downwards) for the
    /// triangle, 0 for the symmetric shapes.
    /// </summary>
    /// <param name="shape">The shape.</param>
    /// <param name="size">Bounding-box side.</param>
    public static double CentroidOffsetY(ShapeKind shape, double size) => shape == ShapeKind.Triangle ? size / 6 : 0;

    /// <summary>True when the point lies inside the shape.</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="dx">x offset from the centre.</param>
    /// <param name="dy">y offset from the centre.</param>
    /// <param name="size">Bounding-box side.</param>
    public static bool Contains(ShapeKind shape, double dx, double dy, double size)
    {
        double h = size / 2;
        switch (shape)
        {
            case ShapeKind.Circle:
                return (dx * dx) + (dy * dy) <= h * h;
            case ShapeKind.Square:
                return Math.Abs(dx) <= h && Math.Abs(dy) <= h;
            case ShapeKind.Triangle:
                // Apex at (0, -h), base from (-h, h) to (h, h).
                return dy <= h && dy >= -h && Math.Abs(dx) <= (dy + h) / 2;
            case ShapeKind.Cross:
                double t = size * CrossBarFraction / 2;
                bool inBox = Math.Abs(dx) <= h && Math.Abs(dy) <= h;
                return inBox && (Math.Abs(dx) <= t || Math.Abs(dy) <= t);
            case ShapeKind.Ring:
                double r2 = (dx * dx) + (dy * dy);
                double inner = h * RingInnerFraction;
                return r2 <= h * h && r2 >= inner * inner;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown shape.");
        }
    }
}
