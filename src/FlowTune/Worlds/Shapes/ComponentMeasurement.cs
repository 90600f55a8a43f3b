using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Measures one foreground component: its soft mask (saliency relative to the component's peak, with a small
/// floor removed so background noise adds no mass), half-peak bounding box, soft centroid, core colour, and the
/// blur-robust shape features of <see cref="ShapeFeatures"/>.
/// </summary>
internal sealed class ComponentMeasurement
{
    /// <summary>Soft-mask values below this fraction of the peak count as background.</summary>
    public const float SoftFloor = 0.15f;

    private ComponentMeasurement()
    {
    }

    /// <summary>Robust peak saliency (mean of the 3 highest pixels).</summary>
    public float Peak { get; private init; }

    /// <summary>Pixels at or above half the peak.</summary>
    public int HalfPeakArea { get; private init; }

    /// <summary>Bounding box of the pixels at or above half the peak (continuous edges).</summary>
    public BoundingBox Box { get; private init; }

    /// <summary>Soft-mask centroid x (pixel centres at +0.5).</summary>
    public double CentroidX { get; private init; }

    /// <summary>Soft-mask centroid y.</summary>
    public double CentroidY { get; private init; }

    /// <summary>Mean RGB of the core pixels (saliency at least 75% of the peak).</summary>
    public float[] CoreColor { get; private init; } = [];

    /// <summary>Mean per-pixel distance of the core pixels' chromaticity to the mean chromaticity.</summary>
    public float ColorSpread { get; private init; }

    /// <summary>The shape features.</summary>
    public float[] Features { get; private init; } = [];

    public static ComponentMeasurement Measure(RgbImage image, ForegroundComponents fg, ForegroundComponent component)
    {
        float[] s = fg.Saliency;
        int w = fg.Width;
        float peak = TopMean(component.Pixels, s, 3);
        int pad = Math.Max(2, (int)Math.Round(Math.Max(component.BoxWidth, component.BoxHeight) / 6.0));
        int x0 = Math.Max(0, component.MinX - pad);
        int x1 = Math.Min(w - 1, component.MaxX + pad);
        int y0 = Math.Max(0, component.MinY - pad);
        int y1 = Math.Min(fg.Height - 1, component.MaxY + pad);
        var window = new SoftWindow(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        int hx0 = int.MaxValue, hy0 = int.MaxValue, hx1 = -1, hy1 = -1, halfArea = 0;
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                int p = (y * w) + x;
                int label = fg.Labels[p];
                if (label != 0 && label != component.Label)
                {
                    continue;
                }

                float rel = s[p] / peak;
                window[x, y] = Math.Clamp((rel - SoftFloor) / (1 - SoftFloor), 0f, 1f);
                if (rel >= 0.5f && label == component.Label)
                {
                    halfArea++;
                    hx0 = Math.Min(hx0, x);
                    hx1 = Math.Max(hx1, x);
                    hy0 = Math.Min(hy0, y);
                    hy1 = Math.Max(hy1, y);
                }
            }
        }

        if (halfArea == 0)
        {
            (hx0, hy0, hx1, hy1) = (component.MinX, component.MinY, component.MaxX, component.MaxY);
        }

        var box = new BoundingBox(hx0, hy0, hx1 + 1, hy1 + 1);
        (float[] color, float spread) = CoreColorOf(image, component, s, peak);
        (double cx, double cy) = window.Centroid();
        return new ComponentMeasurement
        {
            Peak = peak,
            HalfPeakArea = halfArea,
            Box = box,
            CentroidX = cx,
            CentroidY = cy,
            CoreColor = color,
            ColorSpread = spread,
            Features = ShapeFeatures.Extract(window, box, halfArea),
        };
    }

    private static (float[] Color, float Spread) CoreColorOf(RgbImage image, ForegroundComponent component, float[] s, float peak)
    {
        int plane = image.PlaneSize;
        float[] d = image.Data;
        var sum = new double[3];
        var core = new List<int>();
        foreach (int p in component.Pixels)
        {
            if (s[p] >= 0.75f * peak)
            {
                core.Add(p);
                sum[0] += d[p];
                sum[1] += d[plane + p];
                sum[2] += d[(2 * plane) + p];
            }
        }

        var mean = new float[] { (float)(sum[0] / core.Count), (float)(sum[1] / core.Count), (float)(sum[2] / core.Count) };
        float[] meanChroma = ColorClassifier.Chromaticity(mean[0], mean[1], mean[2]);
        double spread = 0;
        foreach (int p in core)
        {
            float[] c = ColorClassifier.Chromaticity(d[p], d[plane + p], d[(2 * plane) + p]);
            spread += Math.Sqrt(Square(c[0] - meanChroma[0]) + Square(c[1] - meanChroma[1]) + Square(c[2] - meanChroma[2]));
        }

        return (mean, (float)(spread / core.Count));
    }

    private static double Square(double v) => v * v;

    private static float TopMean(List<int> pixels, float[] s, int n)
    {
        Span<float> top = stackalloc float[n];
        top.Fill(float.MinValue);
        foreach (int p in pixels)
        {
            float v = s[p];
            for (int k = 0; k < n; k++)
            {
                if (v > top[k])
                {
                    for (int j = n - 1; j > k; j--)
                    {
                        top[j] = top[j - 1];
                    }

                    top[k] = v;
                    break;
                }
            }
        }

        float sum = 0;
        int count = 0;
        foreach (float v in top)
        {
            if (v > float.MinValue)
            {
                sum += v;
                count++;
            }
        }

        return sum / count;
    }
}
