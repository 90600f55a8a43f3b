namespace FlowTune.Torch;

/// <summary>Element types. The values are libtorch's <c>c10::ScalarType</c> codes (stable across versions).</summary>
public enum DType
{
    /// <summary>8-bit unsigned integer (images).</summary>
    UInt8 = 0,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 3,
    /// <summary>64-bit signed integer (indices, token ids).</summary>
    Int64 = 4,
    /// <summary>IEEE half precision.</summary>
    Float16 = 5,
    /// <summary>IEEE single precision (the default).</summary>
    Float32 = 6,
    /// <summary>IEEE double precision (gradient checks).</summary>
    Float64 = 7,
    /// <summary>Boolean, one byte per element.</summary>
    Bool = 11,
    /// <summary>Brain floating point (8-bit exponent, 7-bit mantissa).</summary>
    BFloat16 = 15,
}

/// <summary>Facts about <see cref="DType"/>s.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Bool => 1,
        DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64;

    /// <summary>Maps a libtorch scalar type code, failing clearly for types FlowTune does not use.</summary>
    internal static DType FromCode(int code) => Enum.IsDefined(typeof(DType), code)
        ? (DType)code
        : throw new NotSupportedException($"libtorch scalar type {code} is not supported by FlowTune");
}
