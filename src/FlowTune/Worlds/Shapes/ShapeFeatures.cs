namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Blur-robust shape features of one component's soft mask, all scale-normalised:
/// normalised central moments up to order 4 (spread, anisotropy, skew, kurtosis), a polar profile (mean soft value
/// on circles of 0.1–1.35 disc-equivalent radii), angular harmonics on three circles (cos 2φ, cos 4φ, sin φ,
/// sin 3φ: corners, arms, the triangle's apex), the half-peak box fill and aspect, the centroid's offset inside
/// the box (a triangle's mass sits low), log size, and an <see cref="GridSide"/>² resampling of the soft mask over
/// the box. Blur changes all of these smoothly instead of flipping them, so a classifier trained on blurred
/// renders stays reliable.
/// </summary>
internal static class ShapeFeatures
{
    /// <summary>Side of the resampled soft-mask grid.</summary>
    public const int GridSide = 8;

    private const int Angles = 16;
    private static readonly double[] _profileRadii = [0.1, 0.35, 0.6, 0.85, 1.1, 1.35];
    private static readonly double[] _harmonicRadii = [0.8, 1.05, 1.3];

    /// <summary>Number of features produced by <see cref="Extract"/>.</summary>
    public static int Count => 9 + _profileRadii.Length + (4 * _harmonicRadii.Length) + 5 + (GridSide * GridSide);

    public static float[] Extract(SoftWindow window, BoundingBox box, int halfArea)
    {
        var features = new List<float>(Count);
        (double cx, double cy) = window.Centroid();
        double m = 0, m20 = 0, m02 = 0, m11 = 0, m30 = 0, m03 = 0, m21 = 0, m12 = 0, m40 = 0, m04 = 0, m22 = 0;
        for (int y = window.Top; y < window.Top + window.Height; y++)
        {
            for (int x = window.Left; x < window.Left + window.Width; x++)
            {
                double a = window[x, y];
                if (a <= 0)
                {
                    continue;
                }

                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double dx2 = dx * dx;
                double dy2 = dy * dy;
                m += a;
                m20 += a * dx2;
                m02 += a * dy2;
                m11 += a * dx * dy;
                m30 += a * dx2 * dx;
                m03 += a * dy2 * dy;
                m21 += a * dx2 * dy;
                m12 += a * dx * dy2;
                m40 += a * dx2 * dx2;
                m04 += a * dy2 * dy2;
                m22 += a * dx2 * dy2;
            }
        }

        m = Math.Max(m, 1e-6);
        double spread = Math.Max(m20 + m02, 1e-6);
        double variance = spread / m; // mean squared radius
        features.Add((float)(spread / (m * m)));
        features.Add((float)((m20 - m02) / spread));
        features.Add((float)(m11 / spread));
        double third = m * Math.Pow(variance, 1.5);
        features.Add((float)(m30 / third));
        features.Add((float)(m03 / third));
        features.Add((float)(m21 / third));
        features.Add((float)(m12 / third));
        double fourth = m * variance * variance;
        features.Add((float)((m40 + m04) / fourth));
        features.Add((float)(m22 / fourth));

        double radius = Math.Sqrt(2 * variance); // radius of the disc with the same mean squared radius
        foreach (double r in _profileRadii)
        {
            double sum = 0;
            for (int k = 0; k < Angles; k++)
            {
                double phi = 2 * Math.PI * k / Angles;
                sum += window.Sample(cx + (r * radius * Math.Cos(phi)), cy + (r * radius * Math.Sin(phi)));
            }

            features.Add((float)(sum / Angles));
        }

        foreach (double r in _harmonicRadii)
        {
            double c2 = 0, c4 = 0, s1 = 0, s3 = 0;
            for (int k = 0; k < Angles; k++)
            {
                double phi = (2 * Math.PI * (k + 0.5)) / Angles;
                double a = window.Sample(cx + (r * radius * Math.Cos(phi)), cy + (r * radius * Math.Sin(phi)));
                c2 += a * Math.Cos(2 * phi);
                c4 += a * Math.Cos(4 * phi);
                s1 += a * Math.Sin(phi);
                s3 += a * Math.Sin(3 * phi);
            }

            features.Add((float)(c2 / Angles));
            features.Add((float)(c4 / Angles));
            features.Add((float)(s1 / Angles));
            features.Add((float)(s3 / Angles));
        }

        double boxArea = Math.Max(box.Width * box.Height, 1);
        features.Add((float)(halfArea / boxArea));
        features.Add((float)Math.Log(Math.Max(box.Width, 1) / Math.Max(box.Height, 1)));
        features.Add((float)((cx - box.CenterX) / Math.Max(box.Width, 1)));
        features.Add((float)((cy - box.CenterY) / Math.Max(box.Height, 1)));
        features.Add((float)Math.Log(Math.Sqrt(Math.Max(halfArea, 1))));

        double side = Math.Max(box.Width, box.Height) * 1.1;
        double left = box.CenterX - (side / 2);
        double top = box.CenterY - (side / 2);
        for (int gy = 0; gy < GridSide; gy++)
        {
            for (int gx = 0; gx < GridSide; gx++)
            {
                double x = left + ((gx + 0.5) * side / GridSide);
                double y = top + ((gy + 0.5) * side / GridSide);
                features.Add(window.Sample(x, y));
            }
        }

        return features.ToArray();
    }
}
