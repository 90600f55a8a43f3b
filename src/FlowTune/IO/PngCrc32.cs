namespace FlowTune.IO;

/// <summary>
/// The CRC-32 of the PNG specification (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), table driven.
/// </summary>
internal static class PngCrc32
{
    private static readonly uint[] _table = BuildTable();

    /// <summary>Continues a running CRC (start with <c>0xFFFFFFFF</c>, finish by inverting).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        uint[] table = _table;
        foreach (byte b in bytes)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>The CRC of a chunk: computed over the 4 type bytes followed by the data.</summary>
    public static uint OfChunk(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) =>
        ~Update(Update(0xFFFFFFFFu, type), data);

    /// <summary>The CRC of a single buffer.</summary>
    public static uint Compute(ReadOnlySpan<byte> bytes) => ~Update(0xFFFFFFFFu, bytes);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
