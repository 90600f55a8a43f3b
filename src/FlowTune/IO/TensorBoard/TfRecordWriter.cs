using System.Buffers.Binary;

namespace FlowTune.IO.TensorBoard;

/// <summary>
/// Writes TFRecord framing: per record a little-endian uint64 length, the masked CRC-32C of those 8 bytes, the data,
/// and the masked CRC-32C of the data (both checksums little-endian uint32). Every record is flushed to disk as soon as
/// it is written, so a crash loses nothing already written.
/// </summary>
public sealed class TfRecordWriter : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>Creates <paramref name="path"/>; an existing file is an error (records are never overwritten).</summary>
    public TfRecordWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Appends one record and flushes it to disk.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(!_stream.CanWrite, this);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
