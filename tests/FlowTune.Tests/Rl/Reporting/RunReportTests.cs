using System.Text.RegularExpressions;
using FlowTune.Cli;
using FlowTune.Rl.Reporting;

namespace FlowTune.Tests.Rl.Reporting;

public sealed class RunReportTests
{
    [Fact]
    public void Should_EscapeTheConfigAndReferenceNothingOutside_When_TheConfigHoldsMarkup()
    {
        // Given: a run whose config text holds markup and a URL-like string
        var dir = ReportFixtures.RlRun(ReportFixtures.NewDirectory("escape"), configText: "name: \"<script>alert('x')</script> & <b>co</b>\"\n");
        try
        {
            // When
            var html = RunReport.Build(dir);

            // Then: the text shows escaped, no element comes from it, and every src is an embedded PNG
            Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            var sources = Regex.Matches(html, "(?:src|href)\\s*=\\s*['\"]([^'\"]*)").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(4, sources.Count); // 2 evaluations × 2 tags
            Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));
            Assert.Contains(HtmlPage.ContentSecurityPolicy, html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_HaveEverySection_When_TheDirectoryIsAnRlRun()
    {
        // Given: a run, and the folder of an evaluation the log dropped (an interrupted run's, at epoch 1)
        var dir = ReportFixtures.RlRun(ReportFixtures.NewDirectory("sections"));
        var stale = Path.Combine(dir, "eval", "epoch_0001");
        Directory.CreateDirectory(stale);
        FlowTune.IO.PngGridWriter.WriteFile(Path.Combine(stale, "grid_colors.png"), [FlowTune.Imaging.RgbImage.Filled(4, 4, 1, 1, 1)]);
        try
        {
            // When
            var html = RunReport.Build(dir);

            // Then: reward + components, accuracy per tag (against epochs and minutes), grids newest first, timing, config
            foreach (var id in new[] { "reward", "accuracy", "grids", "timing", "config" })
            {
                Assert.Contains($"<h2 id='{id}'>", html, StringComparison.Ordinal);
            }
            foreach (var legend in new[] { "reward (mean)", "count", "color", "overall", "colors", "position", "sampling", "reward wait", "training", "evaluation (after the epoch)" })
            {
                Assert.Contains($">{legend}</text>", html, StringComparison.Ordinal);
            }
            Assert.Contains(">training minutes</text>", html, StringComparison.Ordinal);
            // timing: a bar per epoch 0..3, stacked: epoch 0 is the base's evaluation only, epochs 1-2 three stages, epoch 3 four
            Assert.Equal(1 + 3 + 3 + 4, Regex.Matches(html, "<rect class='bar'").Count);
            Assert.Contains("<title>3: evaluation (after the epoch) 8</title>", html, StringComparison.Ordinal);
            Assert.True(html.IndexOf("<h3>epoch 3", StringComparison.Ordinal) < html.IndexOf("<h3>epoch 0", StringComparison.Ordinal));
            Assert.DoesNotContain("<h3>epoch 1", html, StringComparison.Ordinal);
            Assert.Contains("num_epochs: 3", html, StringComparison.Ordinal);
            // timing totals: sampling 21+22+23 s, evaluation 5 + 8 s (eval.json of epochs 0 and 3)
            Assert.Contains("<td>sampling</td><td>66.0</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td>evaluation</td><td>13.0</td>", html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_OverlayTheConfigsAndShowTheTable_When_TheDirectoryIsAComparison()
    {
        // Given
        var dir = ReportFixtures.Comparison(ReportFixtures.NewDirectory("compare"));
        try
        {
            // When
            var html = RunReport.Build(dir);

            // Then: runs.json read back; both configs on the accuracy charts (steps and minutes) and the reward chart
            Assert.Contains(">optimizer steps</text>", html, StringComparison.Ordinal);
            Assert.Contains(">training minutes</text>", html, StringComparison.Ordinal);
            Assert.Contains(">grpo</text>", html, StringComparison.Ordinal);
            Assert.Contains(">nft</text>", html, StringComparison.Ordinal);
            Assert.Contains(">nft, seed 1</text>", html, StringComparison.Ordinal);
            Assert.Contains("| config | seeds |", html, StringComparison.Ordinal);
            Assert.True(Regex.Matches(html, "<polyline").Count >= 6);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_DrawLossAndAccuracy_When_TheDirectoryIsAPretrainingRun()
    {
        // Given
        var dir = ReportFixtures.Pretraining(ReportFixtures.NewDirectory("pretrain"));
        try
        {
            // When
            var html = RunReport.Build(dir);

            // Then
            Assert.Contains(">flow-matching loss</text>", html, StringComparison.Ordinal);
            Assert.Contains(">colors</text>", html, StringComparison.Ordinal);
            Assert.Contains("<h3>step 500", html, StringComparison.Ordinal);
            Assert.Contains("&quot;preset&quot;: &quot;tiny&quot;", html, StringComparison.Ordinal);
            Assert.Single(Regex.Matches(html, "src='data:image/png;base64,"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_ReportAPretrainingRun_When_ItHasNoLossRecordYet()
    {
        // Given: a pretraining run before its first log_every steps: an empty metrics.jsonl beside options.json
        var dir = ReportFixtures.NewDirectory("pretrain-empty");
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), "");
        File.WriteAllText(Path.Combine(dir, "options.json"), "{}");
        try
        {
            // When
            var html = RunReport.Build(dir);

            // Then
            Assert.Contains("<h1>Pretraining run", html, StringComparison.Ordinal);
            Assert.Contains("No loss record yet", html, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_NameThePath_When_TheDirectoryHoldsNoRunNorComparison()
    {
        // Given: an empty folder
        var dir = ReportFixtures.NewDirectory("empty");
        try
        {
            // When
            var error = Assert.Throws<FileNotFoundException>(() => RunReport.Build(dir));

            // Then
            Assert.Contains(dir, error.Message, StringComparison.Ordinal);
            Assert.Contains("metrics.jsonl", error.Message, StringComparison.Ordinal);
            Assert.Contains("runs.json", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Should_WriteTheReportWhereAsked_When_TheCommandRuns()
    {
        // Given
        var dir = ReportFixtures.RlRun(ReportFixtures.NewDirectory("cli"));
        var output = Path.Combine(dir, "sub", "page.html");
        try
        {
            // When
            var code = await CliApp.RunAsync(["report", dir, "--out", output]);
            var defaultCode = await CliApp.RunAsync(["report", dir]);
            var missingCode = await CliApp.RunAsync(["report", Path.Combine(dir, "eval")]);

            // Then
            Assert.Equal(CliApp.Ok, code);
            Assert.StartsWith("<!doctype html>", await File.ReadAllTextAsync(output), StringComparison.Ordinal);
            Assert.Equal(CliApp.Ok, defaultCode);
            Assert.True(File.Exists(Path.Combine(dir, RunReport.FileName)));
            Assert.Equal(CliApp.RuntimeError, missingCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
