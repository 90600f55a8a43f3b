using System.CommandLine;
using System.Globalization;
using FlowTune.Models;
using FlowTune.Models.Text;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune text-diff --checkpoint M "prompt A" "prompt B"</c>: where a model's text encoder tells two prompts apart.</summary>
public static class TextDiffCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = CommonOptions.Checkpoint();
        var a = new Argument<string>("prompt-a") { Description = "First prompt." };
        var b = new Argument<string>("prompt-b") { Description = "Second prompt." };
        var command = new Command("text-diff", "Print, token by token, how far apart a model's text encoder puts two prompts (does it bind colours and relations to nouns?).");
        command.Options.Add(checkpoint);
        command.Arguments.Add(a);
        command.Arguments.Add(b);
        command.SetAction(parse =>
        {
            using var model = ModelCheckpoint.Load(parse.GetValue(checkpoint)!.FullName);
            Write(TextEncodingDiff.Compare(model.Text, parse.GetValue(a)!, parse.GetValue(b)!), Console.Out);
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Writes the comparison as a table.</summary>
    public static void Write(TextEncodingDiff.Result result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        var width = Math.Max(8, result.Rows.Max(r => Math.Max(r.TokenA.Length, r.TokenB.Length)));
        output.WriteLine($"{"pos",3}  {"prompt A".PadRight(width)}  {"prompt B".PadRight(width)}  distance");
        for (var k = 0; k < result.Rows.Count; k++)
        {
            var row = result.Rows[k];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k,3}  {row.TokenA.PadRight(width)}  {row.TokenB.PadRight(width)}  {row.Distance:F3}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pooled distance {result.PooledDistance:F3}; mean token norm {result.MeanTokenNorm:F3}"));
    }
}
