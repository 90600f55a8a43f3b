using System.Globalization;
using System.Text;

namespace FlowTune.IO;

/// <summary>
/// Writes the compact safetensors JSON header. Strings are escaped like serde_json does (only quote,
/// backslash and control characters), so headers match the reference implementation byte for byte.
/// </summary>
internal static class SafeTensorsHeaderJson
{
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Builds the header: metadata first (if any), then the tensors, padded with spaces to a multiple of 8.</summary>
    internal static byte[] Build(IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<SafeTensorInfo> tensors)
    {
        var json = new StringBuilder("{");
        if (metadata.Count > 0)
        {
            AppendString(json, SafeTensorsHeader.MetadataKey);
            json.Append(":{");
            for (int i = 0; i < metadata.Count; i++)
            {
                AppendSeparator(json, i > 0);
                AppendString(json, metadata[i].Key);
                json.Append(':');
                AppendString(json, metadata[i].Value);
            }

            json.Append('}');
        }

        for (int i = 0; i < tensors.Count; i++)
        {
            AppendSeparator(json, i > 0 || metadata.Count > 0);
            AppendTensor(json, tensors[i]);
        }

        json.Append('}');
        string text = json.ToString();
        int length = _strictUtf8.GetByteCount(text);
        byte[] header = new byte[(length + 7) / 8 * 8];
        _strictUtf8.GetBytes(text, header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>Throws <see cref="ArgumentException"/> if the text cannot be encoded as UTF-8 (lone surrogates).</summary>
    internal static void EnsureEncodable(string text, string description, string paramName)
    {
        try
        {
            _ = _strictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"{description} is not valid UTF-16 and cannot be encoded as UTF-8.", paramName, ex);
        }
    }

    private static void AppendTensor(StringBuilder json, SafeTensorInfo tensor)
    {
        AppendString(json, tensor.Name);
        json.Append(":{\"dtype\":");
        AppendString(json, tensor.DType);
        json.Append(",\"shape\":[");
        for (int i = 0; i < tensor.Shape.Length; i++)
        {
            AppendSeparator(json, i > 0);
            json.Append(tensor.Shape[i].ToString(CultureInfo.InvariantCulture));
        }

        json.Append("],\"data_offsets\":[")
            .Append(tensor.Begin.ToString(CultureInfo.InvariantCulture))
            .Append(',')
            .Append(tensor.End.ToString(CultureInfo.InvariantCulture))
            .Append("]}");
    }

    private static void AppendSeparator(StringBuilder json, bool needed)
    {
        if (needed)
        {
            json.Append(',');
        }
    }

    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        json.Append('"');
    }
}
