using FlowTune.Cli.Progress;
using FlowTune.Common;
using Spectre.Console.Testing;

namespace FlowTune.Tests.Cli;

/// <summary>Live progress on a terminal (Spectre's test console) and plain lines otherwise.</summary>
public sealed class ConsoleProgressTests
{
    [Fact]
    public void Should_DrawBarsWithCountsAndKeepTheLogLines_When_TheConsoleIsInteractive()
    {
        // Given
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        console.Profile.Width = 160;

        // When: a task reports, logs a line, reports again and ends
        var code = ConsoleProgress.Run(console, (progress, log) =>
        {
            progress!.Report(new ProgressReport("pretrain", 10, 40, "steps"));
            log.WriteLine("step 10/40  loss 0.5000");
            Thread.Sleep(700);
            progress.Report(new ProgressReport("pretrain", 40, 40, "steps"));
            progress.Report(new ProgressReport("eval", 171, 171, "images"));
            return 7;
        });

        // Then: the body's exit code, the log line as plain text, and bars naming each task with its count
        var output = console.Output;
        Assert.Equal(7, code);
        Assert.Contains("step 10/40  loss 0.5000", output, StringComparison.Ordinal);
        Assert.Contains("pretrain", output, StringComparison.Ordinal);
        Assert.Contains("40/40 steps", output, StringComparison.Ordinal);
        Assert.Contains("171/171 images", output, StringComparison.Ordinal);
        Assert.Contains("steps/s", output, StringComparison.Ordinal);
        Assert.Contains("done", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_WriteOneLinePerReport_When_ProgressIsPlain()
    {
        // Given
        var writer = new StringWriter();

        // When
        new LineProgress(writer).Report(new ProgressReport("eval", 64, 171, "images"));

        // Then
        Assert.Equal("  eval 64/171 images" + Environment.NewLine, writer.ToString());
    }
}
