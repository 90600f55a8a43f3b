using FlowTune.Torch;

namespace FlowTune.IO;

/// <summary>Saves and loads named libtorch tensors as safetensors files.</summary>
public static class TensorFile
{
    /// <summary>The safetensors dtype name of a <see cref="DType"/>.</summary>
    public static string ToSafeTensorsName(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new NotSupportedException($"dtype {dtype} cannot be saved"),
    };

    /// <summary>The <see cref="DType"/> of a safetensors dtype name.</summary>
    public static DType FromSafeTensorsName(string name) => name switch
    {
        "F32" => DType.Float32,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        "I32" => DType.Int32,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        _ => throw new InvalidDataException($"safetensors dtype '{name}' is not supported by FlowTune's tensor engine"),
    };

    /// <summary>Writes tensors (moved to CPU, contiguous) and metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var data = tensors.Select(t => new SafeTensorData(t.Key, ToSafeTensorsName(t.Value.DType), t.Value.Shape, t.Value.ToBytes())).ToList();
        SafeTensorsWriter.Write(path, data, metadata);
    }

    /// <summary>Reads every tensor of a file (CPU). The caller owns (disposes) the tensors.</summary>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in reader.Tensors)
        {
            var dtype = FromSafeTensorsName(info.DType);
            result[info.Name] = Tensor.FromBytes(reader.ReadBytes(info.Name), dtype, info.Shape);
        }
        return (result, reader.Metadata);
    }

    /// <summary>Frees tensors read with <see cref="Load"/>.</summary>
    public static void DisposeAll(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }
}
