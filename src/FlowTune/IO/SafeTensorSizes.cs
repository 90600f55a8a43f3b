using System.Globalization;

namespace FlowTune.IO;

/// <summary>Overflow-checked byte-length arithmetic shared by the reader and the writer.</summary>
internal static class SafeTensorSizes
{
    /// <summary>Computes product(shape) × bits / 8, or explains why it cannot be computed.</summary>
    internal static bool TryComputeByteLength(int bitSize, IReadOnlyList<long> shape, out long byteLength, out string? error)
    {
        byteLength = 0;
        long elements = 1;
        try
        {
            foreach (long dimension in shape)
            {
                if (dimension < 0)
                {
                    error = $"has negative dimension {dimension} in shape {FormatShape(shape)}";
                    return false;
                }

                elements = checked(elements * dimension);
            }

            long bits = checked(elements * bitSize);
            if (bits % 8 != 0)
            {
                error = $"has {elements} elements of {bitSize} bits ({bits} bits), which is not a whole number of bytes";
                return false;
            }

            byteLength = bits / 8;
            error = null;
            return true;
        }
        catch (OverflowException)
        {
            error = $"has shape {FormatShape(shape)} whose size overflows a 64-bit integer";
            return false;
        }
    }

    internal static string FormatShape(IReadOnlyList<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
