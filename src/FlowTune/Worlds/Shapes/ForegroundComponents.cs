using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>A connected foreground region: its pixel indices (row-major) and pixel bounding box (inclusive).</summary>
internal sealed class ForegroundComponent
{
    public ForegroundComponent(int label, List<int> pixels, int minX, int minY, int maxX, int maxY)
    {
        Label = label;
        Pixels = pixels;
        MinX = minX;
        MinY = minY;
        MaxX = maxX;
        MaxY = maxY;
    }

    public int Label { get; }

    public List<int> Pixels { get; }

    public int MinX { get; }

    public int MinY { get; }

    public int MaxX { get; }

    public int MaxY { get; }

    public int BoxWidth => MaxX - MinX + 1;

    public int BoxHeight => MaxY - MinY + 1;
}

/// <summary>
/// Separates objects from the dark background: saliency = max(R, G, B) minus the background level (the 30th
/// percentile of max(R, G, B), robust while objects cover under ~60% of the canvas); pixels with saliency above a
/// threshold form 8-connected components.
/// </summary>
internal sealed class ForegroundComponents
{
    private ForegroundComponents(int height, int width, float[] saliency, int[] labels, List<ForegroundComponent> components)
    {
        Height = height;
        Width = width;
        Saliency = saliency;
        Labels = labels;
        Components = components;
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Per-pixel saliency, row-major.</summary>
    public float[] Saliency { get; }

    /// <summary>Per-pixel component label (0 = background, k ≥ 1 = <c>Components[k - 1]</c>).</summary>
    public int[] Labels { get; }

    public List<ForegroundComponent> Components { get; }

    public static ForegroundComponents Find(RgbImage image, float threshold)
    {
        int plane = image.PlaneSize;
        float[] d = image.Data;
        var value = new float[plane];
        for (int i = 0; i < plane; i++)
        {
            value[i] = Math.Max(d[i], Math.Max(d[plane + i], d[(2 * plane) + i]));
        }

        var sorted = (float[])value.Clone();
        Array.Sort(sorted);
        float background = sorted[(int)(0.3 * (plane - 1))];
        var saliency = new float[plane];
        for (int i = 0; i < plane; i++)
        {
            saliency[i] = value[i] - background;
        }

        var labels = new int[plane];
        var components = new List<ForegroundComponent>();
        var stack = new Stack<int>();
        int w = image.Width;
        int h = image.Height;
        for (int start = 0; start < plane; start++)
        {
            if (labels[start] != 0 || saliency[start] <= threshold)
            {
                continue;
            }

            int label = components.Count + 1;
            var pixels = new List<int>();
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            labels[start] = label;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                pixels.Add(p);
                int px = p % w;
                int py = p / w;
                minX = Math.Min(minX, px);
                maxX = Math.Max(maxX, px);
                minY = Math.Min(minY, py);
                maxY = Math.Max(maxY, py);
                for (int ny = Math.Max(0, py - 1); ny <= Math.Min(h - 1, py + 1); ny++)
                {
                    for (int nx = Math.Max(0, px - 1); nx <= Math.Min(w - 1, px + 1); nx++)
                    {
                        int q = (ny * w) + nx;
                        if (labels[q] == 0 && saliency[q] > threshold)
                        {
                            labels[q] = label;
                            stack.Push(q);
                        }
                    }
                }
            }

            components.Add(new ForegroundComponent(label, pixels, minX, minY, maxX, maxY));
        }

        return new ForegroundComponents(h, w, saliency, labels, components);
    }
}
