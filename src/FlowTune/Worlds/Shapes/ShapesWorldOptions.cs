namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Geometry of the shapes world. The defaults are the calibrated 32×32 values; <see cref="ForCanvas"/> scales
/// every length with the canvas side.
/// </summary>
public sealed record ShapesWorldOptions
{
    /// <summary>Canvas side in pixels (square canvas).</summary>
    public int CanvasSize { get; init; } = 32;

    /// <summary>Smallest object size (bounding-box side), pixels.</summary>
    public double MinObjectSize { get; init; } = 7;

    /// <summary>Largest object size (bounding-box side), pixels.</summary>
    public double MaxObjectSize { get; init; } = 11;

    /// <summary>Minimum empty space between two objects' bounding boxes, pixels.</summary>
    public double Gap { get; init; } = 2;

    /// <summary>Minimum space between an object's bounding box and the canvas edge, pixels.</summary>
    public double EdgeMargin { get; init; } = 1;

    /// <summary>Fewest objects in an unconditioned scene.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>Most objects in any scene.</summary>
    public int MaxObjects { get; init; } = 4;

    /// <summary>Options for a square canvas of <paramref name="canvasSize"/> pixels, lengths scaled from 32×32.</summary>
    /// <param name="canvasSize">Canvas side, at least 16.</param>
    public static ShapesWorldOptions ForCanvas(int canvasSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasSize, 16);
        double scale = canvasSize / 32.0;
        return new ShapesWorldOptions
        {
            CanvasSize = canvasSize,
            MinObjectSize = 7 * scale,
            MaxObjectSize = 11 * scale,
            Gap = 2 * scale,
            EdgeMargin = 1 * scale,
        };
    }
}
