using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FlowTune.IO;

/// <summary>
/// Parses a safetensors JSON header with <see cref="Utf8JsonReader"/>, rejecting duplicate keys,
/// unknown fields and anything that is not the documented shape.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    private const string DTypeField = "dtype";
    private const string ShapeField = "shape";
    private const string OffsetsField = "data_offsets";

    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> header)
    {
        if (!Utf8.IsValid(header))
        {
            throw Invalid("Safetensors header is not valid UTF-8.");
        }

        if (header.IsEmpty || header[0] != (byte)'{')
        {
            throw Invalid("Safetensors header is not a JSON object: it must start with '{'.");
        }

        try
        {
            return ParseObject(header);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Safetensors header is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"Safetensors header is not valid JSON: {ex.Message}", ex);
        }
    }

    private static SafeTensorsHeader ParseObject(ReadOnlySpan<byte> header)
    {
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid("Safetensors header is not a JSON object.");
        }

        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorInfo>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (NextProperty(ref reader) is { } key)
        {
            if (!keys.Add(key))
            {
                throw Invalid($"Safetensors header contains duplicate key '{key}'.");
            }

            Next(ref reader);
            if (key == SafeTensorsHeader.MetadataKey)
            {
                metadata = ParseMetadata(ref reader);
            }
            else
            {
                tensors.Add(ParseTensor(ref reader, key));
            }
        }

        if (reader.Read())
        {
            throw Invalid("Safetensors header has unexpected content after the JSON object.");
        }

        return new SafeTensorsHeader(metadata, tensors);
    }

    private static Dictionary<string, string> ParseMetadata(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"Safetensors '__metadata__' must be an object of string values, found {Describe(reader.TokenType)}.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref reader) is { } key)
        {
            if (metadata.ContainsKey(key))
            {
                throw Invalid($"Safetensors header contains duplicate key '{key}' in '__metadata__'.");
            }

            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Invalid($"Safetensors '__metadata__' value for key '{key}' must be a string, found {Describe(reader.TokenType)}.");
            }

            metadata.Add(key, reader.GetString()!);
        }

        return metadata;
    }

    private static SafeTensorInfo ParseTensor(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"Tensor '{name}' entry must be a JSON object, found {Describe(reader.TokenType)}.");
        }

        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (NextProperty(ref reader) is { } field)
        {
            bool duplicate = field switch
            {
                DTypeField => dtype is not null,
                ShapeField => shape is not null,
                OffsetsField => offsets is not null,
                _ => throw Invalid($"Tensor '{name}' has unknown field '{field}'; only 'dtype', 'shape' and 'data_offsets' are allowed."),
            };
            if (duplicate)
            {
                throw Invalid($"Tensor '{name}' contains duplicate key '{field}'.");
            }

            Next(ref reader);
            switch (field)
            {
                case DTypeField:
                    dtype = ReadDType(ref reader, name);
                    break;
                case ShapeField:
                    shape = ReadNonNegativeIntegers(ref reader, name, ShapeField);
                    break;
                default:
                    offsets = ReadNonNegativeIntegers(ref reader, name, OffsetsField);
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? DTypeField : shape is null ? ShapeField : OffsetsField;
            throw Invalid($"Tensor '{name}' is missing required field '{missing}'.");
        }

        return CreateInfo(name, dtype, shape, offsets);
    }

    private static SafeTensorInfo CreateInfo(string name, string dtype, long[] shape, long[] offsets)
    {
        if (offsets.Length != 2)
        {
            throw Invalid($"Tensor '{name}' field 'data_offsets' must contain exactly 2 integers, found {offsets.Length}.");
        }

        if (offsets[0] > offsets[1])
        {
            throw Invalid($"Tensor '{name}' has data_offsets begin {offsets[0]} greater than end {offsets[1]}.");
        }

        return new SafeTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static string ReadDType(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Invalid($"Tensor '{name}' field 'dtype' must be a string, found {Describe(reader.TokenType)}.");
        }

        string dtype = reader.GetString()!;
        if (!SafeTensorDTypes.IsKnown(dtype))
        {
            throw Invalid($"Tensor '{name}' has unknown dtype '{dtype}'.");
        }

        return dtype;
    }

    private static long[] ReadNonNegativeIntegers(ref Utf8JsonReader reader, string name, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid($"Tensor '{name}' field '{field}' must be an array of non-negative integers, found {Describe(reader.TokenType)}.");
        }

        var values = new List<long>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return [.. values];
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                string found = reader.TokenType == JsonTokenType.Number
                    ? Encoding.UTF8.GetString(reader.ValueSpan)
                    : Describe(reader.TokenType);
                throw Invalid($"Tensor '{name}' field '{field}' must contain only non-negative integers, found {found}.");
            }

            values.Add(value);
        }
    }

    /// <summary>Advances to the next property name of the current object, or returns null at its end.</summary>
    private static string? NextProperty(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType == JsonTokenType.EndObject ? null : reader.GetString();
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Invalid("Safetensors header is not valid JSON: it ends unexpectedly.");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static InvalidDataException Invalid(string message) => new(message);
}
