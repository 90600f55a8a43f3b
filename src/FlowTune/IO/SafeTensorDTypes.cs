using System.Collections.Frozen;

namespace FlowTune.IO;

/// <summary>The dtype names defined by the safetensors format and their element sizes.</summary>
public static class SafeTensorDTypes
{
    /// <summary>Boolean, one byte per element.</summary>
    public const string Bool = "BOOL";

    /// <summary>Unsigned 8-bit integer.</summary>
    public const string U8 = "U8";

    /// <summary>Signed 8-bit integer.</summary>
    public const string I8 = "I8";

    /// <summary>Signed 16-bit integer.</summary>
    public const string I16 = "I16";

    /// <summary>Unsigned 16-bit integer.</summary>
    public const string U16 = "U16";

    /// <summary>IEEE 754 half-precision float.</summary>
    public const string F16 = "F16";

    /// <summary>Brain floating point (bfloat16).</summary>
    public const string BF16 = "BF16";

    /// <summary>Signed 32-bit integer.</summary>
    public const string I32 = "I32";

    /// <summary>Unsigned 32-bit integer.</summary>
    public const string U32 = "U32";

    /// <summary>IEEE 754 single-precision float.</summary>
    public const string F32 = "F32";

    /// <summary>IEEE 754 double-precision float.</summary>
    public const string F64 = "F64";

    /// <summary>Signed 64-bit integer.</summary>
    public const string I64 = "I64";

    /// <summary>Unsigned 64-bit integer.</summary>
    public const string U64 = "U64";

    /// <summary>Complex number made of two 32-bit floats.</summary>
    public const string C64 = "C64";

    /// <summary>8-bit float with 5 exponent and 2 mantissa bits.</summary>
    public const string F8E5M2 = "F8_E5M2";

    /// <summary>8-bit float with 4 exponent and 3 mantissa bits.</summary>
    public const string F8E4M3 = "F8_E4M3";

    /// <summary>8-bit exponent-only float (scale format).</summary>
    public const string F8E8M0 = "F8_E8M0";

    /// <summary>8-bit float E4M3, finite with unsigned zero.</summary>
    public const string F8E4M3Fnuz = "F8_E4M3FNUZ";

    /// <summary>8-bit float E5M2, finite with unsigned zero.</summary>
    public const string F8E5M2Fnuz = "F8_E5M2FNUZ";

    /// <summary>4-bit float.</summary>
    public const string F4 = "F4";

    /// <summary>6-bit float with 2 exponent and 3 mantissa bits.</summary>
    public const string F6E2M3 = "F6_E2M3";

    /// <summary>6-bit float with 3 exponent and 2 mantissa bits.</summary>
    public const string F6E3M2 = "F6_E3M2";

    private static readonly FrozenDictionary<string, int> _bitSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [Bool] = 8,
        [U8] = 8,
        [I8] = 8,
        [I16] = 16,
        [U16] = 16,
        [F16] = 16,
        [BF16] = 16,
        [I32] = 32,
        [U32] = 32,
        [F32] = 32,
        [F64] = 64,
        [I64] = 64,
        [U64] = 64,
        [C64] = 64,
        [F8E5M2] = 8,
        [F8E4M3] = 8,
        [F8E8M0] = 8,
        [F8E4M3Fnuz] = 8,
        [F8E5M2Fnuz] = 8,
        [F4] = 4,
        [F6E2M3] = 6,
        [F6E3M2] = 6,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Gets the size of one element of <paramref name="dtype"/> in bits.</summary>
    /// <param name="dtype">A safetensors dtype name (case-sensitive), for example <c>F32</c>.</param>
    /// <returns>The element size in bits.</returns>
    /// <exception cref="ArgumentException">The dtype is not a known safetensors dtype.</exception>
    public static int BitSize(string dtype)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        if (!_bitSizes.TryGetValue(dtype, out int bits))
        {
            throw new ArgumentException($"Unknown safetensors dtype '{dtype}'.", nameof(dtype));
        }

        return bits;
    }

    /// <summary>Returns whether <paramref name="dtype"/> is a known safetensors dtype name.</summary>
    /// <param name="dtype">A dtype name (case-sensitive).</param>
    /// <returns><see langword="true"/> if the name is known; otherwise <see langword="false"/>.</returns>
    public static bool IsKnown(string dtype) => dtype is not null && _bitSizes.ContainsKey(dtype);

    internal static bool TryGetBitSize(string? dtype, out int bits)
    {
        bits = 0;
        return dtype is not null && _bitSizes.TryGetValue(dtype, out bits);
    }

    /// <summary>Alignment used to order tensors when writing: element byte size, at least 1.</summary>
    internal static int Alignment(string dtype) => Math.Max(1, BitSize(dtype) / 8);
}
