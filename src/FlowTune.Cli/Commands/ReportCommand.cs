using System.CommandLine;
using FlowTune.Rl.Reporting;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune report RUN_DIR [--out FILE]</c>: one self-contained HTML page about a run or a comparison.</summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("run-dir") { Description = "A run directory of train or pretrain (metrics.jsonl), or a compare folder (runs.json)." };
        var output = new Option<FileInfo?>("--out") { Description = "The HTML file to write (default: RUN_DIR/report.html)." };
        var command = new Command("report", "Write one self-contained HTML page about a run (reward, accuracy per tag, evaluation grids, timing, config) or a comparison (curves, table).");
        command.Arguments.Add(directory);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var path = RunReport.Write(parse.GetValue(directory)!.FullName, parse.GetValue(output)?.FullName);
            Console.WriteLine($"report: {path}");
            return CliApp.Ok;
        });
        return command;
    }
}
