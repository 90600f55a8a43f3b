namespace FlowTune.IO;

/// <summary>A validated, ordered write: the padded header and the tensors in buffer order.</summary>
/// <param name="Header">The UTF-8 JSON header, space-padded to a multiple of 8 bytes (without the size prefix).</param>
/// <param name="Tensors">The tensors in the order their data is laid out.</param>
/// <param name="DataLength">Total length of the byte buffer.</param>
internal sealed record SafeTensorsWritePlan(byte[] Header, IReadOnlyList<SafeTensorData> Tensors, long DataLength)
{
    /// <summary>Gets the total file length: prefix, header and data.</summary>
    internal long FileLength => 8 + Header.Length + DataLength;

    /// <summary>Validates the inputs and computes the layout and header bytes.</summary>
    internal static SafeTensorsWritePlan Create(IEnumerable<SafeTensorData> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        List<SafeTensorData> list = [.. tensors];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SafeTensorData? tensor in list)
        {
            Validate(tensor);
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Duplicate tensor name '{tensor.Name}'.", nameof(tensors));
            }
        }

        List<KeyValuePair<string, string>> sortedMetadata = ValidateMetadata(metadata);
        SafeTensorData[] ordered = [.. list
            .OrderByDescending(t => SafeTensorDTypes.Alignment(t.DType))
            .ThenBy(t => t.Name, StringComparer.Ordinal)];

        var entries = new List<SafeTensorInfo>(ordered.Length);
        long offset = 0;
        foreach (SafeTensorData tensor in ordered)
        {
            long end = checked(offset + tensor.Data.Length);
            entries.Add(new SafeTensorInfo(tensor.Name, tensor.DType, tensor.Shape, offset, end));
            offset = end;
        }

        byte[] header = SafeTensorsHeaderJson.Build(sortedMetadata, entries);
        if (header.Length > SafeTensorsReader.MaxHeaderSize)
        {
            throw new ArgumentException(
                $"The safetensors header would be {header.Length} bytes, above the {SafeTensorsReader.MaxHeaderSize}-byte limit.",
                nameof(tensors));
        }

        return new SafeTensorsWritePlan(header, ordered, offset);
    }

    private static void Validate(SafeTensorData? tensor)
    {
        const string param = "tensors";
        if (tensor is null)
        {
            throw new ArgumentException("The tensor collection contains a null entry.", param);
        }

        if (string.IsNullOrEmpty(tensor.Name))
        {
            throw new ArgumentException("A tensor name must not be null or empty.", param);
        }

        if (tensor.Name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"Tensor name '{tensor.Name}' is reserved for metadata.", param);
        }

        SafeTensorsHeaderJson.EnsureEncodable(tensor.Name, $"Tensor name '{tensor.Name}'", param);
        if (!SafeTensorDTypes.TryGetBitSize(tensor.DType, out int bits))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' has unknown dtype '{tensor.DType}'.", param);
        }

        if (tensor.Shape is null)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' has a null shape.", param);
        }

        if (!SafeTensorSizes.TryComputeByteLength(bits, tensor.Shape, out long expected, out string? error))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' {error}.", param);
        }

        if (tensor.Data.Length != expected)
        {
            throw new ArgumentException(
                $"Tensor '{tensor.Name}' data length mismatch: dtype {tensor.DType} with shape {SafeTensorSizes.FormatShape(tensor.Shape)} needs {expected} bytes but {tensor.Data.Length} were provided.",
                param);
        }
    }

    private static List<KeyValuePair<string, string>> ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        const string param = "metadata";
        if (metadata is null)
        {
            return [];
        }

        foreach ((string key, string? value) in metadata)
        {
            if (value is null)
            {
                throw new ArgumentException($"Metadata value for key '{key}' must not be null.", param);
            }

            SafeTensorsHeaderJson.EnsureEncodable(key, $"Metadata key '{key}'", param);
            SafeTensorsHeaderJson.EnsureEncodable(value, $"Metadata value for key '{key}'", param);
        }

        return [.. metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal)];
    }
}
