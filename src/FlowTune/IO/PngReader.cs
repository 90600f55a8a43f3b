using System.Buffers.Binary;
using System.IO.Compression;
using FlowTune.Imaging;

namespace FlowTune.IO;

/// <summary>
/// Reads ordinary PNG files: bit depth 8, colour type 0 (grey), 2 (RGB), 4 (grey + alpha) or 6 (RGBA),
/// non-interlaced, with any of the five row filters. Grey is replicated to RGB; alpha is dropped (not composited).
/// Chunk CRCs are verified. Anything else (palette images, 1/2/4/16-bit depths, Adam7 interlacing, unknown
/// critical chunks, truncated data) raises an <see cref="InvalidDataException"/> that says what was found.
/// </summary>
public static class PngReader
{
    /// <summary>Reads a PNG file.</summary>
    /// <param name="path">The file.</param>
    public static RgbImage ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path));
    }

    /// <summary>Reads a whole PNG stream.</summary>
    /// <param name="stream">The stream, positioned at the signature.</param>
    public static RgbImage Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Decode(buffer.ToArray());
    }

    /// <summary>Decodes PNG bytes.</summary>
    /// <param name="png">The complete file contents.</param>
    public static RgbImage Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(PngWriter.Signature))
        {
            throw new InvalidDataException("Not a PNG file: the 8-byte signature is missing.");
        }

        PngHeader? header = null;
        using var idat = new MemoryStream();
        bool ended = false;
        int position = 8;
        while (!ended)
        {
            if (position + 12 > png.Length)
            {
                throw new InvalidDataException($"PNG truncated at byte {position}: no IEND chunk.");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(png[position..]);
            if (length < 0 || position + 12L + length > png.Length)
            {
                throw new InvalidDataException($"PNG chunk at byte {position} declares length {length}, past the end of the file.");
            }

            ReadOnlySpan<byte> type = png.Slice(position + 4, 4);
            ReadOnlySpan<byte> data = png.Slice(position + 8, length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png[(position + 8 + length)..]);
            string typeName = System.Text.Encoding.ASCII.GetString(type);
            if (storedCrc != PngCrc32.OfChunk(type, data))
            {
                throw new InvalidDataException($"PNG chunk {typeName} at byte {position} has a bad CRC.");
            }

            if (header is null && typeName != "IHDR")
            {
                throw new InvalidDataException($"PNG chunk {typeName} comes before IHDR.");
            }

            switch (typeName)
            {
                case "IHDR":
                    header = PngHeader.Parse(data);
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
                case "PLTE":
                    break; // Allowed (suggested palette) for true-colour images; palette images are rejected by IHDR.
                default:
                    if (char.IsUpper(typeName[0]))
                    {
                        throw new InvalidDataException($"PNG has an unknown critical chunk {typeName}.");
                    }

                    break;
            }

            position += 12 + length;
        }

        return DecodePixels(header!, Inflate(idat.ToArray(), header!));
    }

    private static byte[] Inflate(byte[] compressed, PngHeader header)
    {
        long expected = (long)header.Height * (1 + header.RowBytes);
        var raw = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = zlib.Read(raw, read, raw.Length - read);
                if (n == 0)
                {
                    throw new InvalidDataException($"PNG image data is truncated: {read} of {expected} bytes after decompression.");
                }

                read += n;
            }
        }
        catch (Exception ex) when (ex is not InvalidDataException)
        {
            throw new InvalidDataException($"PNG image data could not be decompressed: {ex.Message}", ex);
        }

        return raw;
    }

    private static RgbImage DecodePixels(PngHeader header, byte[] raw)
    {
        int bpp = header.Channels;
        int stride = header.RowBytes;
        var previous = new byte[stride];
        var image = new RgbImage(header.Height, header.Width);
        float[] data = image.Data;
        int plane = image.PlaneSize;
        for (int y = 0; y < header.Height; y++)
        {
            int start = y * (stride + 1);
            Span<byte> row = raw.AsSpan(start + 1, stride);
            PngFilters.Unfilter(raw[start], row, previous, bpp, y);
            for (int x = 0; x < header.Width; x++)
            {
                int p = x * bpp;
                bool grey = header.ColorType is 0 or 4;
                byte r = row[p];
                byte g = grey ? r : row[p + 1];
                byte b = grey ? r : row[p + 2];
                int i = (y * header.Width) + x;
                data[i] = r / 255f;
                data[plane + i] = g / 255f;
                data[(2 * plane) + i] = b / 255f;
            }

            row.CopyTo(previous);
        }

        return image;
    }

    private sealed record PngHeader(int Width, int Height, int ColorType)
    {
        public int Channels => ColorType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };

        public int RowBytes => checked(Width * Channels);

        public static PngHeader Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length != 13)
            {
                throw new InvalidDataException($"PNG IHDR has {data.Length} bytes; 13 expected.");
            }

            int width = BinaryPrimitives.ReadInt32BigEndian(data);
            int height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
            int bitDepth = data[8];
            int colorType = data[9];
            if (width <= 0 || height <= 0 || (long)width * height > 1L << 28)
            {
                throw new InvalidDataException($"PNG size {width}×{height} is not supported.");
            }

            if (colorType is not (0 or 2 or 4 or 6))
            {
                throw new InvalidDataException($"PNG colour type {colorType} is not supported (only 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA).");
            }

            if (bitDepth != 8)
            {
                throw new InvalidDataException($"PNG bit depth {bitDepth} is not supported (only 8).");
            }

            if (data[10] != 0 || data[11] != 0)
            {
                throw new InvalidDataException($"PNG compression method {data[10]} / filter method {data[11]} is not supported.");
            }

            if (data[12] != 0)
            {
                throw new InvalidDataException($"PNG interlace method {data[12]} (Adam7) is not supported.");
            }

            return new PngHeader(width, height, colorType);
        }
    }
}
