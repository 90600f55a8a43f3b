using System.Buffers.Binary;
using System.Globalization;

namespace FlowTune.IO.TensorBoard;

/// <summary>
/// Reads the records of a TFRecord file (<see cref="TfRecordWriter"/>) one at a time, checking both checksums of every
/// record. A bad checksum or a record cut short throws <see cref="InvalidDataException"/> naming the file, the
/// record's byte offset and what is wrong.
/// </summary>
public static class TfRecordReader
{
    private const int HeaderBytes = 12;
    private const int FooterBytes = 4;

    /// <summary>The records of <paramref name="path"/>, in order, read as enumerated.</summary>
    public static IEnumerable<byte[]> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadRecords(path);
    }

    /// <summary>All records of <paramref name="path"/>, in order.</summary>
    public static IReadOnlyList<byte[]> ReadAll(string path) => [.. Read(path)];

    private static IEnumerable<byte[]> ReadRecords(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[HeaderBytes];
        var footer = new byte[FooterBytes];
        long offset = 0;
        while (true)
        {
            var got = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
            if (got == 0)
            {
                yield break;
            }
            if (got < HeaderBytes)
            {
                throw Error(path, offset, $"truncated record: {got} bytes left, the header needs {HeaderBytes}");
            }
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            var storedLengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            var lengthCrc = Crc32C.Masked(header.AsSpan(0, 8));
            if (storedLengthCrc != lengthCrc)
            {
                throw Error(path, offset, $"length CRC mismatch (stored 0x{storedLengthCrc:x8}, computed 0x{lengthCrc:x8})");
            }
            var left = stream.Length - offset - HeaderBytes;
            if (left < FooterBytes || length > (ulong)(left - FooterBytes) || length > int.MaxValue)
            {
                throw Error(path, offset, $"truncated record: {length} data bytes and a {FooterBytes}-byte CRC announced, {left} bytes left");
            }
            var data = new byte[(int)length];
            stream.ReadExactly(data);
            stream.ReadExactly(footer);
            var storedDataCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer);
            var dataCrc = Crc32C.Masked(data);
            if (storedDataCrc != dataCrc)
            {
                throw Error(path, offset, $"data CRC mismatch (stored 0x{storedDataCrc:x8}, computed 0x{dataCrc:x8})");
            }
            offset += HeaderBytes + (long)length + FooterBytes;
            yield return data;
        }
    }

    private static InvalidDataException Error(string path, long offset, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}: record at offset {offset}: {what}"));
}
