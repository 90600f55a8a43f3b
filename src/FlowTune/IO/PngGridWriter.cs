using FlowTune.Imaging;

namespace FlowTune.IO;

/// <summary>Tiles images into one grid image (row-major) separated by a gap, and writes it as a PNG.</summary>
public static class PngGridWriter
{
    /// <summary>Composes <paramref name="images"/> into a grid. All images must have the same size.</summary>
    /// <param name="images">At least one image.</param>
    /// <param name="columns">Images per row; 0 or less picks <c>ceil(sqrt(n))</c>.</param>
    /// <param name="gap">Pixels between tiles and around the border.</param>
    /// <param name="gapValue">Grey level of the gap, in [0, 1].</param>
    public static RgbImage Compose(IReadOnlyList<RgbImage> images, int columns = 0, int gap = 2, float gapValue = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfZero(images.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        int tileH = images[0].Height;
        int tileW = images[0].Width;
        foreach (RgbImage image in images)
        {
            if (image.Height != tileH || image.Width != tileW)
            {
                throw new ArgumentException($"All grid images must be {tileH}×{tileW}; got {image.Height}×{image.Width}.", nameof(images));
            }
        }

        int cols = columns > 0 ? Math.Min(columns, images.Count) : (int)Math.Ceiling(Math.Sqrt(images.Count));
        int rows = (images.Count + cols - 1) / cols;
        int height = gap + (rows * (tileH + gap));
        int width = gap + (cols * (tileW + gap));
        var grid = RgbImage.Filled(height, width, gapValue, gapValue, gapValue);
        for (int n = 0; n < images.Count; n++)
        {
            int top = gap + ((n / cols) * (tileH + gap));
            int left = gap + ((n % cols) * (tileW + gap));
            RgbImage tile = images[n];
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < tileH; y++)
                {
                    Array.Copy(tile.Data, ((c * tileH) + y) * tileW, grid.Data, ((c * height) + top + y) * width + left, tileW);
                }
            }
        }

        return grid;
    }

    /// <summary>Composes a grid and writes it as a PNG file.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="images">At least one image, all the same size.</param>
    /// <param name="columns">Images per row; 0 or less picks <c>ceil(sqrt(n))</c>.</param>
    /// <param name="gap">Pixels between tiles and around the border.</param>
    public static void WriteFile(string path, IReadOnlyList<RgbImage> images, int columns = 0, int gap = 2) =>
        PngWriter.WriteFile(path, Compose(images, columns, gap));
}
