namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Names an object's colour: the nearest palette colour in chromaticity (RGB divided by its largest channel),
/// which ignores brightness and contrast changes and is only mildly moved by saturation and hue jitter.
/// </summary>
internal static class ColorClassifier
{
    private static readonly float[][] _paletteChroma = ShapeVocabulary.Colors
        .Select(c => ShapeVocabulary.Rgb(c))
        .Select(rgb => Chromaticity(rgb.Red, rgb.Green, rgb.Blue))
        .ToArray();

    /// <summary>RGB divided by its largest channel (black maps to grey).</summary>
    public static float[] Chromaticity(float r, float g, float b)
    {
        float max = Math.Max(r, Math.Max(g, b));
        if (max <= 1e-4f)
        {
            return [1f, 1f, 1f];
        }

        return [Math.Max(r, 0) / max, Math.Max(g, 0) / max, Math.Max(b, 0) / max];
    }

    /// <summary>The nearest palette colour and the chromaticity distance to it.</summary>
    public static (ShapeColor Color, float Distance) Classify(float[] rgb)
    {
        float[] chroma = Chromaticity(rgb[0], rgb[1], rgb[2]);
        int best = 0;
        float bestDistance = float.MaxValue;
        for (int k = 0; k < _paletteChroma.Length; k++)
        {
            float[] p = _paletteChroma[k];
            float dr = chroma[0] - p[0];
            float dg = chroma[1] - p[1];
            float db = chroma[2] - p[2];
            float distance = MathF.Sqrt((dr * dr) + (dg * dg) + (db * db));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = k;
            }
        }

        return ((ShapeColor)best, bestDistance);
    }
}
