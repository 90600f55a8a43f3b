namespace FlowTune.Worlds.Shapes;

/// <summary>Names, plurals and palette RGB values of the shapes world's classes and colours.</summary>
public static class ShapeVocabulary
{
    private static readonly string[] _shapeNames = ["circle", "square", "triangle", "cross", "ring"];
    private static readonly string[] _shapePlurals = ["circles", "squares", "triangles", "crosses", "rings"];
    private static readonly string[] _colorNames = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "white"];

    // Chosen far apart in chromaticity (hue and saturation) so that blur, noise and jitter keep them apart;
    // all have a maximum channel of at least 0.85 so that they stand out from the dark background equally.
    private static readonly float[][] _palette =
    [
        [0.92f, 0.12f, 0.12f], // red
        [1.00f, 0.42f, 0.02f], // orange
        [0.95f, 0.93f, 0.12f], // yellow
        [0.16f, 0.80f, 0.22f], // green
        [0.20f, 0.40f, 1.00f], // blue
        [0.64f, 0.22f, 0.90f], // purple
        [1.00f, 0.52f, 0.78f], // pink
        [0.95f, 0.95f, 0.95f], // white
    ];

    /// <summary>All shapes, in enum order.</summary>
    public static IReadOnlyList<ShapeKind> Shapes { get; } = Enum.GetValues<ShapeKind>();

    /// <summary>All colours, in enum order.</summary>
    public static IReadOnlyList<ShapeColor> Colors { get; } = Enum.GetValues<ShapeColor>();

    /// <summary>The singular class name used in prompts and metadata, e.g. "circle".</summary>
    /// <param name="shape">The shape.</param>
    public static string Name(ShapeKind shape) => _shapeNames[(int)shape];

    /// <summary>The plural used in counting prompts, e.g. "crosses".</summary>
    /// <param name="shape">The shape.</param>
    public static string Plural(ShapeKind shape) => _shapePlurals[(int)shape];

    /// <summary>The colour name used in prompts and metadata, e.g. "orange".</summary>
    /// <param name="color">The colour.</param>
    public static string Name(ShapeColor color) => _colorNames[(int)color];

    /// <summary>The palette RGB of a colour, each in [0, 1].</summary>
    /// <param name="color">The colour.</param>
    public static (float Red, float Green, float Blue) Rgb(ShapeColor color)
    {
        float[] rgb = _palette[(int)color];
        return (rgb[0], rgb[1], rgb[2]);
    }

    /// <summary>Parses a class name (exact, lower case); false for names outside the shapes world.</summary>
    /// <param name="name">The class name from metadata.</param>
    /// <param name="shape">The shape when found.</param>
    public static bool TryParseShape(string? name, out ShapeKind shape)
    {
        int index = name is null ? -1 : Array.IndexOf(_shapeNames, name);
        shape = index >= 0 ? (ShapeKind)index : default;
        return index >= 0;
    }

    /// <summary>Parses a colour name (exact, lower case); false for colours outside the shapes world.</summary>
    /// <param name="name">The colour name from metadata.</param>
    /// <param name="color">The colour when found.</param>
    public static bool TryParseColor(string? name, out ShapeColor color)
    {
        int index = name is null ? -1 : Array.IndexOf(_colorNames, name);
        color = index >= 0 ? (ShapeColor)index : default;
        return index >= 0;
    }
}
