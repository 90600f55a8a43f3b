namespace FlowTune.Worlds.Shapes;

/// <summary>A rectangular window of soft-mask values in [0, 1], addressed in image coordinates.</summary>
internal sealed class SoftWindow
{
    private readonly float[] _values;

    public SoftWindow(int left, int top, int width, int height)
    {
        Left = left;
        Top = top;
        Width = width;
        Height = height;
        _values = new float[width * height];
    }

    public int Left { get; }

    public int Top { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Value at image pixel (x, y); 0 outside the window.</summary>
    public float this[int x, int y]
    {
        get
        {
            int wx = x - Left;
            int wy = y - Top;
            return (uint)wx < (uint)Width && (uint)wy < (uint)Height ? _values[(wy * Width) + wx] : 0f;
        }

        set => _values[((y - Top) * Width) + (x - Left)] = value;
    }

    /// <summary>Bilinear value at a continuous image position (pixel centres at +0.5).</summary>
    public float Sample(double x, double y)
    {
        double fx = x - 0.5;
        double fy = y - 0.5;
        int ix = (int)Math.Floor(fx);
        int iy = (int)Math.Floor(fy);
        float tx = (float)(fx - ix);
        float ty = (float)(fy - iy);
        float top = (this[ix, iy] * (1 - tx)) + (this[ix + 1, iy] * tx);
        float bottom = (this[ix, iy + 1] * (1 - tx)) + (this[ix + 1, iy + 1] * tx);
        return (top * (1 - ty)) + (bottom * ty);
    }

    /// <summary>Soft-mass centroid (pixel centres at +0.5).</summary>
    public (double X, double Y) Centroid()
    {
        double m = 0, sx = 0, sy = 0;
        for (int wy = 0; wy < Height; wy++)
        {
            for (int wx = 0; wx < Width; wx++)
            {
                float a = _values[(wy * Width) + wx];
                m += a;
                sx += a * (Left + wx + 0.5);
                sy += a * (Top + wy + 0.5);
            }
        }

        return m > 0 ? (sx / m, sy / m) : (Left + (Width / 2.0), Top + (Height / 2.0));
    }
}
