using FlowTune.IO.TensorBoard.Proto;
using Google.Protobuf;

namespace FlowTune.IO.TensorBoard;

/// <summary>Reads TensorBoard events files back (every record's checksums are checked, <see cref="TfRecordReader"/>).</summary>
public static class EventFileReader
{
    /// <summary>The events of <paramref name="path"/>, in order; a record that is no Event names the file and record.</summary>
    public static IReadOnlyList<Event> Read(string path)
    {
        var events = new List<Event>();
        foreach (var record in TfRecordReader.Read(path))
        {
            try
            {
                events.Add(Event.Parser.ParseFrom(record));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException($"{path}: record {events.Count} is not an Event: {e.Message}", e);
            }
        }
        return events;
    }

    /// <summary>The events files of <paramref name="directory"/>, oldest name first (none when it does not exist).</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory, TensorBoardWriter.FilePrefix + "*").Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The events of every events file of <paramref name="directory"/>, file after file.</summary>
    public static IReadOnlyList<Event> ReadDirectory(string directory) => [.. Files(directory).SelectMany(Read)];
}
