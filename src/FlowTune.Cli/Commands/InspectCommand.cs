using System.CommandLine;
using System.Globalization;
using FlowTune.IO;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune inspect FILE.safetensors</c>: tensor names, dtypes, shapes and metadata.</summary>
public static class InspectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A .safetensors file." };
        var command = new Command("inspect", "Print the tensors (name, dtype, shape, bytes) and metadata of a safetensors file.");
        command.Arguments.Add(file);
        command.SetAction(parse => Run(parse.GetValue(file)!, Console.Out));
        return command;
    }

    /// <summary>Writes the report; returns the exit code.</summary>
    public static int Run(FileInfo file, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(output);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"no such file: {file.FullName}", file.FullName);
        }
        using var reader = SafeTensorsReader.Open(file.FullName);
        output.WriteLine($"{file.Name}: {reader.Tensors.Count} tensors, header {reader.HeaderSize} bytes, file {file.Length} bytes");
        if (reader.Metadata.Count > 0)
        {
            output.WriteLine("metadata:");
            foreach (var (key, value) in reader.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"  {key} = {value}");
            }
        }
        var width = reader.Tensors.Count == 0 ? 4 : Math.Max(4, reader.Tensors.Max(t => t.Name.Length));
        output.WriteLine($"{"name".PadRight(width)}  dtype  {"shape",-20}  bytes");
        long elements = 0;
        foreach (var t in reader.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var shape = "[" + string.Join(", ", t.Shape) + "]";
            output.WriteLine($"{t.Name.PadRight(width)}  {t.DType,-5}  {shape,-20}  {t.ByteLength.ToString(CultureInfo.InvariantCulture)}");
            elements += t.Shape.Aggregate(1L, (a, b) => a * b);
        }
        output.WriteLine($"total elements: {elements.ToString("N0", CultureInfo.InvariantCulture)}");
        return CliApp.Ok;
    }
}
