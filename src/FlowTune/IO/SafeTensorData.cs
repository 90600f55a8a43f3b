namespace FlowTune.IO;

/// <summary>A tensor to write to a safetensors file.</summary>
/// <param name="Name">The tensor name; must be non-empty, unique and not <c>__metadata__</c>.</param>
/// <param name="DType">The safetensors dtype name, for example <c>F32</c>.</param>
/// <param name="Shape">The tensor shape; an empty array is a scalar.</param>
/// <param name="Data">The little-endian, row-major tensor bytes.</param>
public sealed record SafeTensorData(string Name, string DType, long[] Shape, ReadOnlyMemory<byte> Data);
