using System.Buffers.Binary;
using System.Collections.ObjectModel;
using Microsoft.Win32.SafeHandles;

namespace FlowTune.IO;

/// <summary>
/// Reads a safetensors file. Opening reads and fully validates the header only; tensor data is
/// read on demand with positional reads, so concurrent <see cref="ReadBytes(string, Span{byte})"/> calls are safe.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    /// <summary>The largest header size (N) accepted, in bytes.</summary>
    public const long MaxHeaderSize = 100_000_000;

    private const int PrefixSize = 8;

    private readonly SafeFileHandle? _handle;
    private readonly byte[]? _file;
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private bool _disposed;

    private SafeTensorsReader(SafeFileHandle? handle, byte[]? file, long headerSize, SafeTensorsHeader header, SafeTensorInfo[] ordered)
    {
        _handle = handle;
        _file = file;
        HeaderSize = headerSize;
        Metadata = header.Metadata.Count == 0
            ? ReadOnlyDictionary<string, string>.Empty
            : new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(header.Metadata, StringComparer.Ordinal));
        Tensors = Array.AsReadOnly(ordered);
        _byName = ordered.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Gets the <c>__metadata__</c> map; empty if the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the tensor entries in file (data offset) order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>Gets the JSON header size N in bytes, including any padding.</summary>
    public long HeaderSize { get; }

    private long DataStart => PrefixSize + HeaderSize;

    /// <summary>Opens a safetensors file, reading and validating only its header. The file stays open until disposed.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>A reader over the file.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static SafeTensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            EnsurePrefixFits(fileLength);
            Span<byte> prefix = stackalloc byte[PrefixSize];
            ReadExactly(handle, prefix, 0);
            long headerSize = ReadHeaderSize(prefix, fileLength);
            byte[] header = new byte[headerSize];
            ReadExactly(handle, header, PrefixSize);
            return Create(handle, null, header, fileLength);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a safetensors file held in memory. The array is used directly, not copied; do not modify it afterwards.</summary>
    /// <param name="file">The complete file contents.</param>
    /// <returns>A reader over the bytes.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsReader FromBytes(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        EnsurePrefixFits(file.Length);
        long headerSize = ReadHeaderSize(file.AsSpan(0, PrefixSize), file.Length);
        return Create(null, file, file.AsSpan(PrefixSize, (int)headerSize), file.Length);
    }

    /// <summary>Gets the header entry of a tensor.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The tensor's entry.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafeTensorInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.TryGetValue(name, out SafeTensorInfo? info))
        {
            throw new KeyNotFoundException($"Tensor '{name}' is missing from the safetensors file ({_byName.Count} tensors present).");
        }

        return info;
    }

    /// <summary>Returns whether the file contains a tensor with the given name.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns><see langword="true"/> if the tensor exists.</returns>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.ContainsKey(name);
    }

    /// <summary>Reads a tensor's raw little-endian bytes into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The tensor bytes.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public byte[] ReadBytes(string name)
    {
        SafeTensorInfo info = Get(name);
        if (info.ByteLength > Array.MaxLength)
        {
            throw new NotSupportedException($"Tensor '{name}' is {info.ByteLength} bytes, too large for a single array.");
        }

        byte[] buffer = new byte[info.ByteLength];
        ReadBytes(name, buffer);
        return buffer;
    }

    /// <summary>Reads a tensor's raw little-endian bytes into <paramref name="destination"/>.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="destination">The target; its length must equal the tensor's <see cref="SafeTensorInfo.ByteLength"/>.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    /// <exception cref="ArgumentException">The destination length differs from the tensor's byte length.</exception>
    public void ReadBytes(string name, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SafeTensorInfo info = Get(name);
        if (destination.Length != info.ByteLength)
        {
            throw new ArgumentException(
                $"Destination for tensor '{name}' is {destination.Length} bytes but the tensor holds {info.ByteLength} bytes.",
                nameof(destination));
        }

        long offset = DataStart + info.Begin;
        if (_file is not null)
        {
            _file.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }
        else
        {
            ReadExactly(_handle!, destination, offset);
        }
    }

    /// <summary>Closes the underlying file, if any.</summary>
    public void Dispose()
    {
        _disposed = true;
        _handle?.Dispose();
    }

    private static SafeTensorsReader Create(SafeFileHandle? handle, byte[]? file, ReadOnlySpan<byte> header, long fileLength)
    {
        SafeTensorsHeader parsed = SafeTensorsHeaderParser.Parse(header);
        long dataLength = fileLength - PrefixSize - header.Length;
        SafeTensorInfo[] ordered = SafeTensorsLayoutValidator.Validate(parsed.Tensors, dataLength);
        return new SafeTensorsReader(handle, file, header.Length, parsed, ordered);
    }

    private static void EnsurePrefixFits(long fileLength)
    {
        if (fileLength < PrefixSize)
        {
            throw new InvalidDataException(
                $"Safetensors header too small: the file is {fileLength} bytes, less than the {PrefixSize}-byte header size prefix.");
        }
    }

    private static long ReadHeaderSize(ReadOnlySpan<byte> prefix, long fileLength)
    {
        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerSize > MaxHeaderSize)
        {
            throw new InvalidDataException($"Safetensors header too large: {headerSize} bytes exceeds the {MaxHeaderSize}-byte limit.");
        }

        if (PrefixSize + (long)headerSize > fileLength)
        {
            throw new InvalidDataException(
                $"Safetensors header size {headerSize} plus the {PrefixSize}-byte prefix exceeds the file length {fileLength}.");
        }

        return (long)headerSize;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                throw new EndOfStreamException($"Unexpected end of safetensors file at offset {offset}.");
            }

            destination = destination[read..];
            offset += read;
        }
    }
}
