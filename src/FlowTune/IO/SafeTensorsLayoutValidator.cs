namespace FlowTune.IO;

/// <summary>
/// Checks that the tensors tile the byte buffer exactly: contiguous from offset 0, each sized
/// product(shape) × bits / 8, and ending exactly at the end of the file.
/// </summary>
internal static class SafeTensorsLayoutValidator
{
    /// <summary>Validates the layout and returns the tensors in file (offset) order.</summary>
    /// <param name="tensors">The tensor entries from the header.</param>
    /// <param name="dataLength">Bytes available after the 8-byte prefix and the header.</param>
    internal static SafeTensorInfo[] Validate(IEnumerable<SafeTensorInfo> tensors, long dataLength)
    {
        SafeTensorInfo[] sorted = [.. tensors
            .OrderBy(t => t.Begin)
            .ThenBy(t => t.End)
            .ThenBy(t => t.Name, StringComparer.Ordinal)];

        long expectedBegin = 0;
        foreach (SafeTensorInfo tensor in sorted)
        {
            CheckStart(tensor, expectedBegin);
            CheckSize(tensor);
            expectedBegin = tensor.End;
        }

        if (expectedBegin < dataLength)
        {
            throw new InvalidDataException(
                $"Safetensors file has {dataLength - expectedBegin} trailing bytes: tensor data ends at {expectedBegin} but the byte buffer is {dataLength} bytes.");
        }

        if (expectedBegin > dataLength)
        {
            throw new InvalidDataException(
                $"Safetensors file is truncated: tensor data ends at {expectedBegin} but the byte buffer is only {dataLength} bytes.");
        }

        return sorted;
    }

    private static void CheckStart(SafeTensorInfo tensor, long expectedBegin)
    {
        if (tensor.Begin == expectedBegin)
        {
            return;
        }

        if (expectedBegin == 0)
        {
            throw new InvalidDataException(
                $"Tensor '{tensor.Name}' is the first tensor in the byte buffer but starts at offset {tensor.Begin}; it must start at 0.");
        }

        string problem = tensor.Begin > expectedBegin ? "leaving a hole after" : "overlapping";
        throw new InvalidDataException(
            $"Tensor '{tensor.Name}' starts at offset {tensor.Begin}, {problem} the previous tensor which ends at {expectedBegin}.");
    }

    private static void CheckSize(SafeTensorInfo tensor)
    {
        int bits = SafeTensorDTypes.BitSize(tensor.DType);
        if (!SafeTensorSizes.TryComputeByteLength(bits, tensor.Shape, out long expected, out string? error))
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' {error}.");
        }

        if (tensor.ByteLength != expected)
        {
            throw new InvalidDataException(
                $"Tensor '{tensor.Name}' size mismatch: dtype {tensor.DType} with shape {SafeTensorSizes.FormatShape(tensor.Shape)} needs {expected} bytes but data_offsets [{tensor.Begin}, {tensor.End}] span {tensor.ByteLength} bytes.");
        }
    }
}
