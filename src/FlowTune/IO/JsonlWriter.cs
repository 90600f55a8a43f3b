using System.Text.Json;

namespace FlowTune.IO;

/// <summary>Appends one JSON object per line (metrics.jsonl); each line is flushed so a crash loses nothing written.</summary>
public sealed class JsonlWriter : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens <paramref name="path"/> for appending.</summary>
    public JsonlWriter(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Writes one record.</summary>
    public void Write(object record)
    {
        _writer.WriteLine(JsonSerializer.Serialize(record, record.GetType(), Compact));
        _writer.Flush();
    }

    private static readonly JsonSerializerOptions Compact = new(Json.Options) { WriteIndented = false };

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
