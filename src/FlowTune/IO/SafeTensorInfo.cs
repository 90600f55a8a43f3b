namespace FlowTune.IO;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor name (the JSON key in the header).</param>
/// <param name="DType">The safetensors dtype name, for example <c>F32</c>.</param>
/// <param name="Shape">The tensor shape; an empty array is a scalar.</param>
/// <param name="Begin">Start of the tensor data, relative to the start of the byte buffer.</param>
/// <param name="End">One past the end of the tensor data, relative to the start of the byte buffer.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Gets the number of data bytes the tensor occupies.</summary>
    public long ByteLength => End - Begin;
}
