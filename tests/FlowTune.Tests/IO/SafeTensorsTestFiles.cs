using System.Buffers.Binary;
using System.Text;
using FlowTune.IO;

namespace FlowTune.Tests.IO;

/// <summary>Builders for hand-made safetensors files used by the tests.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>Builds prefix + UTF-8 header + <paramref name="dataLength"/> data bytes (0, 1, 2, ...).</summary>
    internal static byte[] Build(string header, int dataLength = 0) => Build(Encoding.UTF8.GetBytes(header), dataLength);

    /// <summary>Builds prefix + raw header bytes + <paramref name="dataLength"/> data bytes (0, 1, 2, ...).</summary>
    internal static byte[] Build(byte[] header, int dataLength = 0)
    {
        byte[] file = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        for (int i = 0; i < dataLength; i++)
        {
            file[8 + header.Length + i] = (byte)i;
        }

        return file;
    }

    /// <summary>Formats one tensor entry as <c>"name":{...}</c>.</summary>
    internal static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    /// <summary>Deterministic, non-trivial test bytes.</summary>
    internal static byte[] Pattern(int length, int seed)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + (seed * 7) + 1);
        }

        return bytes;
    }

    /// <summary>Reads <paramref name="file"/> and returns the exception thrown, if any.</summary>
    internal static Exception? ReadFailure(byte[] file) => Record.Exception(() => SafeTensorsReader.FromBytes(file).Dispose());
}
