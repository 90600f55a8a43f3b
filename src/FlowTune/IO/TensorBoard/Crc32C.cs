using System.Buffers.Binary;
using System.Numerics;

namespace FlowTune.IO.TensorBoard;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF) through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the CPU's CRC instruction where there is one; and the
/// masking TFRecord applies to the checksums it stores.
/// </summary>
public static class Crc32C
{
    /// <summary>The constant TFRecord adds to a rotated checksum.</summary>
    public const uint MaskDelta = 0xa282ead8;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8)));
        }
        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return ~crc;
    }

    /// <summary>The masked form TFRecord stores: rotated right by 15 bits, plus <see cref="MaskDelta"/>.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);

    /// <summary>The masked CRC-32C of <paramref name="data"/>.</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
