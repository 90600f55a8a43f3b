using System.Buffers.Binary;
using System.IO.Compression;
using FlowTune.Imaging;

namespace FlowTune.IO;

/// <summary>
/// Writes 8-bit RGB, non-interlaced PNG files. Values are clamped to [0, 1] and quantised with
/// <c>round(v × 255)</c>. Each row gets the filter that minimises the sum of absolute filtered bytes (the usual
/// libpng heuristic), so files are small and every filter type occurs in practice.
/// </summary>
public static class PngWriter
{
    internal static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="image"/> as PNG bytes.</summary>
    /// <param name="image">The image to encode.</param>
    public static byte[] Encode(RgbImage image) => Encode(image, fixedFilter: null);

    /// <summary>Writes <paramref name="image"/> as a PNG file, creating its directory if needed.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="image">The image to encode.</param>
    public static void WriteFile(string path, RgbImage image)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllBytes(path, Encode(image));
    }

    /// <summary>Quantises one value in [0, 1] to a byte (clamped, round half up).</summary>
    /// <param name="value">The value.</param>
    public static byte ToByte(float value)
    {
        if (!(value > 0f))
        {
            return 0;
        }

        return value >= 1f ? (byte)255 : (byte)((value * 255f) + 0.5f);
    }

    /// <summary>Encodes with one filter type for every row (0–4), or the adaptive choice when null.</summary>
    internal static byte[] Encode(RgbImage image, int? fixedFilter)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var output = new MemoryStream();
        output.Write(Signature);
        WriteChunk(output, "IHDR"u8, BuildHeader(image.Width, image.Height));
        WriteChunk(output, "IDAT"u8, CompressRows(image, fixedFilter));
        WriteChunk(output, "IEND"u8, ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    private static byte[] BuildHeader(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        return header; // compression 0, filter method 0, interlace 0
    }

    private static byte[] CompressRows(RgbImage image, int? fixedFilter)
    {
        int stride = image.Width * 3;
        var previous = new byte[stride];
        var current = new byte[stride];
        var candidate = new byte[stride];
        var best = new byte[stride];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < image.Height; y++)
            {
                FillRow(image, y, current);
                int chosen = ChooseFilter(current, previous, candidate, best, fixedFilter);
                zlib.WriteByte((byte)chosen);
                zlib.Write(best);
                (previous, current) = (current, previous);
            }
        }

        return compressed.ToArray();
    }

    private static int ChooseFilter(byte[] raw, byte[] previous, byte[] candidate, byte[] best, int? fixedFilter)
    {
        if (fixedFilter is int only)
        {
            PngFilters.Filter(only, raw, previous, 3, best);
            return only;
        }

        int chosen = 0;
        long bestCost = long.MaxValue;
        for (int type = 0; type < PngFilters.Count; type++)
        {
            PngFilters.Filter(type, raw, previous, 3, candidate);
            long cost = 0;
            foreach (byte b in candidate)
            {
                cost += b < 128 ? b : 256 - b;
            }

            if (cost < bestCost)
            {
                bestCost = cost;
                chosen = type;
                candidate.CopyTo(best, 0);
            }
        }

        return chosen;
    }

    private static void FillRow(RgbImage image, int y, byte[] row)
    {
        float[] data = image.Data;
        int plane = image.PlaneSize;
        int offset = y * image.Width;
        for (int x = 0; x < image.Width; x++)
        {
            int i = offset + x;
            row[3 * x] = ToByte(data[i]);
            row[(3 * x) + 1] = ToByte(data[plane + i]);
            row[(3 * x) + 2] = ToByte(data[(2 * plane) + i]);
        }
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc32.OfChunk(type, data));
        output.Write(word);
    }
}
