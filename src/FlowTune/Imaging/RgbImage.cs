namespace FlowTune.Imaging;

/// <summary>
/// A float RGB image in planar CHW layout: <see cref="Data"/> holds 3 planes of <c>Height × Width</c> values in
/// [0, 1], red first. This is the layout of one item of a libtorch image batch <c>[B, 3, H, W]</c>.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates a black image.</summary>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="width">Columns, at least 1.</param>
    public RgbImage(int height, int width)
        : this(height, width, new float[3 * CheckedPlaneSize(height, width)])
    {
    }

    /// <summary>Wraps an existing CHW buffer (not copied).</summary>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="width">Columns, at least 1.</param>
    /// <param name="data">Exactly <c>3 × height × width</c> values, CHW.</param>
    public RgbImage(int height, int width, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int plane = CheckedPlaneSize(height, width);
        if (data.Length != 3 * plane)
        {
            throw new ArgumentException($"Expected {3 * plane} values for 3×{height}×{width}, got {data.Length}.", nameof(data));
        }

        Height = height;
        Width = width;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Number of columns.</summary>
    public int Width { get; }

    /// <summary>The pixels, CHW: index <c>(c × Height + y) × Width + x</c>.</summary>
    public float[] Data { get; }

    /// <summary>Values per channel plane (<c>Height × Width</c>).</summary>
    public int PlaneSize => Height * Width;

    /// <summary>Gets or sets one value.</summary>
    /// <param name="channel">0 red, 1 green, 2 blue.</param>
    /// <param name="y">Row.</param>
    /// <param name="x">Column.</param>
    public float this[int channel, int y, int x]
    {
        get => Data[Index(channel, y, x)];
        set => Data[Index(channel, y, x)] = value;
    }

    /// <summary>Creates an image filled with one colour.</summary>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="red">Red value.</param>
    /// <param name="green">Green value.</param>
    /// <param name="blue">Blue value.</param>
    public static RgbImage Filled(int height, int width, float red, float green, float blue)
    {
        var image = new RgbImage(height, width);
        int plane = image.PlaneSize;
        Array.Fill(image.Data, red, 0, plane);
        Array.Fill(image.Data, green, plane, plane);
        Array.Fill(image.Data, blue, 2 * plane, plane);
        return image;
    }

    /// <summary>Returns a deep copy.</summary>
    public RgbImage Clone() => new(Height, Width, (float[])Data.Clone());

    /// <summary>Clamps every value into [0, 1] in place (NaN becomes 0) and returns this image.</summary>
    public RgbImage ClampInPlace()
    {
        float[] data = Data;
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            data[i] = v > 0f ? (v < 1f ? v : 1f) : 0f;
        }

        return this;
    }

    private int Index(int channel, int y, int x)
    {
        if ((uint)channel > 2u || (uint)y >= (uint)Height || (uint)x >= (uint)Width)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), $"({channel}, {y}, {x}) is outside 3×{Height}×{Width}.");
        }

        return ((channel * Height) + y) * Width + x;
    }

    private static int CheckedPlaneSize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return checked(height * width);
    }

    /// <summary>A copy enlarged by an integer <paramref name="factor"/> with nearest-neighbour sampling (for viewing).</summary>
    public RgbImage Upscale(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        var result = new RgbImage(Height * factor, Width * factor);
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < result.Height; y++)
            {
                for (var x = 0; x < result.Width; x++)
                {
                    result[c, y, x] = this[c, y / factor, x / factor];
                }
            }
        }
        return result;
    }
}
