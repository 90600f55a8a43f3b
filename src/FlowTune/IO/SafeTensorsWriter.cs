using System.Buffers.Binary;

namespace FlowTune.IO;

/// <summary>
/// Writes safetensors files. Tensors are laid out by descending element byte size (8, 4, 2, 1), then by
/// ordinal name; the header is compact JSON with <c>__metadata__</c> first (keys sorted ordinally),
/// space-padded to a multiple of 8 bytes.
/// </summary>
public static class SafeTensorsWriter
{
    private const int PrefixSize = 8;

    /// <summary>Serializes tensors and optional metadata to an in-memory safetensors file.</summary>
    /// <param name="tensors">The tensors to write.</param>
    /// <param name="metadata">Optional string metadata, written as <c>__metadata__</c>.</param>
    /// <returns>The complete file contents.</returns>
    /// <exception cref="ArgumentException">A tensor or metadata entry is invalid.</exception>
    public static byte[] ToBytes(IEnumerable<SafeTensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        SafeTensorsWritePlan plan = SafeTensorsWritePlan.Create(tensors, metadata);
        if (plan.FileLength > Array.MaxLength)
        {
            throw new ArgumentException(
                $"The safetensors file would be {plan.FileLength} bytes, too large for a byte array; use Write instead.",
                nameof(tensors));
        }

        byte[] file = new byte[plan.FileLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)plan.Header.Length);
        plan.Header.CopyTo(file, PrefixSize);
        int offset = PrefixSize + plan.Header.Length;
        foreach (SafeTensorData tensor in plan.Tensors)
        {
            tensor.Data.Span.CopyTo(file.AsSpan(offset));
            offset += tensor.Data.Length;
        }

        return file;
    }

    /// <summary>
    /// Writes a safetensors file atomically: the data goes to <c>path + ".tmp"</c>, is flushed to disk,
    /// and then renamed over <paramref name="path"/>, so a crash never leaves a half-written file at the path.
    /// </summary>
    /// <param name="path">The destination file path.</param>
    /// <param name="tensors">The tensors to write.</param>
    /// <param name="metadata">Optional string metadata, written as <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A tensor or metadata entry is invalid.</exception>
    public static void Write(string path, IEnumerable<SafeTensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsWritePlan plan = SafeTensorsWritePlan.Create(tensors, metadata);
        string temporaryPath = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                stream.SetLength(plan.FileLength);
                Span<byte> prefix = stackalloc byte[PrefixSize];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)plan.Header.Length);
                stream.Write(prefix);
                stream.Write(plan.Header);
                foreach (SafeTensorData tensor in plan.Tensors)
                {
                    stream.Write(tensor.Data.Span);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporaryPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original exception is more useful than a cleanup failure.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }
}
