using System.Buffers.Binary;
using System.Globalization;

namespace FlowTune.IO.TensorBoard;

/// <summary>
/// Reads the records of a TFRecord file (<see cref="TfRecordWriter"/>), checking both checksums of every record. A bad
/// checksum or a record cut short throws <see cref="InvalidDataException"/> naming the file, the record's byte offset
/// and what is wrong.
/// </summary>
public static class TfRecordReader
{
    /// <summary>The records of <paramref name="path"/>, in order.</summary>
    public static IReadOnlyList<byte[]> ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        long offset = 0;
        while (offset < bytes.Length)
        {
            records.Add(ReadRecord(path, bytes, ref offset));
        }
        return records;
    }

    private static byte[] ReadRecord(string path, byte[] bytes, ref long offset)
    {
        var start = offset;
        var left = bytes.Length - start;
        if (left < 12)
        {
            throw Error(path, start, $"truncated record: {left} bytes left, the header needs 12");
        }
        var header = bytes.AsSpan((int)start, 12);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
        var storedLengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        var lengthCrc = Crc32C.Masked(header[..8]);
        if (storedLengthCrc != lengthCrc)
        {
            throw Error(path, start, $"length CRC mismatch (stored 0x{storedLengthCrc:x8}, computed 0x{lengthCrc:x8})");
        }
        if (length > (ulong)(left - 12) || left - 12 - (long)length < 4)
        {
            throw Error(path, start, $"truncated record: {length} data bytes and a 4-byte CRC announced, {left - 12} bytes left");
        }
        var data = bytes.AsSpan((int)start + 12, (int)length);
        var storedDataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)start + 12 + (int)length, 4));
        var dataCrc = Crc32C.Masked(data);
        if (storedDataCrc != dataCrc)
        {
            throw Error(path, start, $"data CRC mismatch (stored 0x{storedDataCrc:x8}, computed 0x{dataCrc:x8})");
        }
        offset = start + 12 + (long)length + 4;
        return data.ToArray();
    }

    private static InvalidDataException Error(string path, long offset, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}: record at offset {offset}: {what}"));
}
