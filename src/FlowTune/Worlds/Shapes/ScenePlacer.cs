namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Places objects of given shape, colour and size at random positions inside the canvas, with bounding boxes at
/// least <see cref="ShapesWorldOptions.Gap"/> apart, by sequential rejection sampling; whole-scene restarts
/// until an optional acceptance test passes.
/// </summary>
internal sealed class ScenePlacer
{
    private const int TriesPerObject = 60;
    private readonly ShapesWorldOptions _options;

    public ScenePlacer(ShapesWorldOptions options)
    {
        _options = options;
    }

    /// <summary>Places the objects, or returns null after <paramref name="restarts"/> failed scenes.</summary>
    public Scene? TryPlace(IReadOnlyList<(ShapeKind Shape, ShapeColor Color, double Size)> specs, Random random, Func<IReadOnlyList<SceneObject>, bool>? accept, int restarts = 400)
    {
        int side = _options.CanvasSize;
        for (int attempt = 0; attempt < restarts; attempt++)
        {
            var placed = new List<SceneObject>(specs.Count);
            foreach ((ShapeKind shape, ShapeColor color, double size) in specs)
            {
                SceneObject? candidate = TryPlaceOne(shape, color, size, placed, random, side);
                if (candidate is null)
                {
                    break;
                }

                placed.Add(candidate);
            }

            if (placed.Count == specs.Count && (accept is null || accept(placed)))
            {
                return new Scene(side, side, placed);
            }
        }

        return null;
    }

    /// <summary>True when two objects' bounding boxes are at least <paramref name="gap"/> apart on some axis.</summary>
    public static bool Separated(SceneObject a, SceneObject b, double gap)
    {
        double reach = ((a.Size + b.Size) / 2) + gap;
        return Math.Abs(a.CenterX - b.CenterX) >= reach || Math.Abs(a.CenterY - b.CenterY) >= reach;
    }

    private SceneObject? TryPlaceOne(ShapeKind shape, ShapeColor color, double size, List<SceneObject> placed, Random random, int side)
    {
        double low = _options.EdgeMargin + (size / 2);
        double high = side - _options.EdgeMargin - (size / 2);
        if (high < low)
        {
            throw new InvalidOperationException($"An object of size {size} does not fit a {side}-pixel canvas.");
        }

        for (int t = 0; t < TriesPerObject; t++)
        {
            var candidate = new SceneObject(shape, color, random.NextDouble(low, high), random.NextDouble(low, high), size);
            if (placed.TrueForAll(p => Separated(p, candidate, _options.Gap)))
            {
                return candidate;
            }
        }

        return null;
    }
}
