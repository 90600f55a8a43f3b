using FlowTune.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace FlowTune.IO;

/// <summary>
/// Encodes an image as a baseline JPEG (ImageSharp's encoder; only encoding, never decoding untrusted input), for
/// reward servers that accept JPEG only (the reference GenEval server). Pixels are quantised as PNGs are
/// (<see cref="PngWriter.ToByte"/>).
/// </summary>
public static class JpegWriter
{
    /// <summary>The JPEG bytes of <paramref name="image"/> at <paramref name="quality"/> (1-100; 4:2:0 chroma).</summary>
    public static byte[] Encode(RgbImage image, int quality = 95)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality must be in [1, 100]");
        }
        using var target = new Image<Rgb24>(image.Width, image.Height);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                target[x, y] = new Rgb24(PngWriter.ToByte(image[0, y, x]), PngWriter.ToByte(image[1, y, x]), PngWriter.ToByte(image[2, y, x]));
            }
        }
        using var stream = new MemoryStream();
        target.Save(stream, new JpegEncoder { Quality = quality });
        return stream.ToArray();
    }
}
