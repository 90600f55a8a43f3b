using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using FlowTune.IO.TensorBoard.Proto;
using Google.Protobuf;

namespace FlowTune.IO.TensorBoard;

/// <summary>
/// A TensorBoard events file: <c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host name&gt;</c> in a folder (a
/// <c>.N</c> suffix when that name is taken), TFRecord framing (<see cref="TfRecordWriter"/>) of serialized
/// <see cref="Event"/> messages. The first event carries the file version; each later one is a summary of scalars, an
/// image or a text, flushed to disk at once.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    /// <summary>The file version of the first event.</summary>
    public const string FileVersion = "brain.Event:2";

    /// <summary>Every events file name starts so (TensorBoard finds its files by "tfevents" in the name).</summary>
    public const string FilePrefix = "events.out.tfevents.";

    private readonly TfRecordWriter _records;
    private readonly HashSet<string> _textTags = new(StringComparer.Ordinal);

    /// <summary>Creates a new events file in <paramref name="directory"/> (created if needed).</summary>
    public TensorBoardWriter(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        var name = string.Create(CultureInfo.InvariantCulture, $"{FilePrefix}{now.ToUnixTimeSeconds()}.{HostName()}");
        var path = System.IO.Path.Combine(directory, name);
        for (var n = 1; File.Exists(path); n++)
        {
            path = System.IO.Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{name}.{n}"));
        }
        _records = new TfRecordWriter(path);
        Write(new Event { WallTime = WallTime(), FileVersion = FileVersion });
    }

    /// <summary>The events file.</summary>
    public string Path => _records.Path;

    /// <summary>Writes one scalar (stored as a float32 <c>simple_value</c>, as TensorBoard's scalars are).</summary>
    public void Scalar(string tag, long step, double value) => Scalars(step, [KeyValuePair.Create(tag, value)]);

    /// <summary>Writes several scalars of one step as one event.</summary>
    public void Scalars(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var summary = new Summary();
        foreach (var (tag, value) in values)
        {
            ArgumentException.ThrowIfNullOrEmpty(tag);
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        }
        if (summary.Value.Count > 0)
        {
            WriteSummary(step, summary);
        }
    }

    /// <summary>Writes a PNG image; its width, height and colour type are read from the PNG header.</summary>
    public void Image(string tag, long step, byte[] png)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentNullException.ThrowIfNull(png);
        var (width, height, colorspace) = PngHeader(png);
        var image = new Summary.Types.Image { Width = width, Height = height, Colorspace = colorspace, EncodedImageString = ByteString.CopyFrom(png) };
        WriteSummary(step, new Summary { Value = { new Summary.Types.Value { Tag = tag, Image = image } } });
    }

    /// <summary>
    /// Writes a markdown text: a scalar <c>DT_STRING</c> tensor holding the UTF-8 text, with the metadata of
    /// TensorBoard's text plugin (plugin name "text") on the tag's first value.
    /// </summary>
    public void Text(string tag, long step, string markdown)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentNullException.ThrowIfNull(markdown);
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto() };
        tensor.StringVal.Add(ByteString.CopyFrom(markdown, Encoding.UTF8));
        var value = new Summary.Types.Value { Tag = tag, Tensor = tensor };
        if (_textTags.Add(tag))
        {
            value.Metadata = new SummaryMetadata { PluginData = new SummaryMetadata.Types.PluginData { PluginName = "text" } };
        }
        WriteSummary(step, new Summary { Value = { value } });
    }

    private void WriteSummary(long step, Summary summary) => Write(new Event { WallTime = WallTime(), Step = step, Summary = summary });

    private void Write(Event e) => _records.Write(e.ToByteArray());

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static string HostName()
    {
        var host = Environment.MachineName;
        return string.IsNullOrEmpty(host) ? "localhost" : host;
    }

    /// <summary>Width, height and TensorBoard colorspace (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA) from the IHDR chunk.</summary>
    private static (int Width, int Height, int Colorspace) PngHeader(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 33 || !png.AsSpan(0, 8).SequenceEqual(signature) || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ArgumentException("not a PNG file (no signature and IHDR chunk)", nameof(png));
        }
        var width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        var height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        var colorspace = png[25] switch
        {
            0 => 1,
            4 => 2,
            6 => 4,
            _ => 3, // RGB, palette
        };
        return (width, height, colorspace);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _records.Dispose();
}
