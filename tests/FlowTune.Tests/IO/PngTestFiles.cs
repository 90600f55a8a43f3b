using System.Buffers.Binary;
using System.IO.Compression;
using FlowTune.IO;

namespace FlowTune.Tests.IO;

/// <summary>Builds PNG files of any header by hand, to test the reader beyond what the writer produces.</summary>
internal static class PngTestFiles
{
    public static byte[] Build(int width, int height, byte bitDepth, byte colorType, byte interlace, byte[] rawRowsWithFilterBytes, bool corruptCrc = false)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        header[12] = interlace;
        WriteChunk(output, "IHDR"u8, header, corruptCrc);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(rawRowsWithFilterBytes);
        }

        WriteChunk(output, "IDAT"u8, compressed.ToArray(), false);
        WriteChunk(output, "IEND"u8, [], false);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, byte[] data, bool corruptCrc)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc32.OfChunk(type, data) ^ (corruptCrc ? 1u : 0u));
        output.Write(word);
    }
}
