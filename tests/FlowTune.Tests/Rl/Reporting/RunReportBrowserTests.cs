using System.Text.Json;
using FlowTune.IO;
using FlowTune.Rl.Reporting;
using Microsoft.Playwright;

namespace FlowTune.Tests.Rl.Reporting;

/// <summary>
/// The reports opened in a real browser: Playwright drives Debian's chromium (scripts/install-deps.sh installs it;
/// Playwright's own browsers are never downloaded).
/// </summary>
public sealed class RunReportBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Should_LoadWithoutErrorsDrawThePlotsAndShowTheGrids_When_AnRlRunReportOpensInChromium()
    {
        // Given: a run directory with 3 epochs and 2 evaluations of 2 tags, and its report
        var dir = ReportFixtures.RlRun(ReportFixtures.NewDirectory("browser"));
        try
        {
            var path = RunReport.Write(dir);

            // When
            var page = await OpenAsync(path);

            // Then: nothing failed, every chart drew lines across its plot, every grid decoded, and the screenshot is an image
            Assert.Empty(page.Errors);
            Assert.Equal(4, page.Charts.Count); // reward, accuracy vs epochs, vs minutes, timing
            Assert.All(page.Charts.Take(3), c => Assert.True(c.LongestLine >= 2 && c.LineWidth > 100, $"a chart drew no line: {c}"));
            // the base's evaluation, 3 epochs × 3 stages (reward wait is not 0 here) and the final evaluation
            Assert.True(page.Charts[3].Bars == 1 + 9 + 1 && page.Charts[3].BarHeight > 100, $"the timing chart drew no bars: {page.Charts[3]}");
            Assert.Equal(4, page.Images.Count);
            Assert.All(page.Images, i => Assert.True(i.Complete && i.NaturalWidth > 0 && i.NaturalHeight > 0, $"an image did not display: {i}"));
            AssertNotBlank(page.Screenshot);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Should_LoadWithoutErrorsAndDrawTheCurves_When_AComparisonReportOpensInChromium()
    {
        // Given
        var dir = ReportFixtures.Comparison(ReportFixtures.NewDirectory("browser-compare"));
        try
        {
            var path = RunReport.Write(dir);

            // When
            var page = await OpenAsync(path);

            // Then: accuracy vs steps, vs minutes, reward per run
            Assert.Empty(page.Errors);
            Assert.Equal(3, page.Charts.Count);
            Assert.All(page.Charts, c => Assert.True(c.LongestLine >= 2 && c.LineWidth > 100, $"a chart drew no line: {c}"));
            AssertNotBlank(page.Screenshot);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record Chart(int Lines, int LongestLine, double LineWidth, int Bars, double BarHeight);

    private sealed record Image(bool Complete, int NaturalWidth, int NaturalHeight);

    private sealed record LoadedPage(List<string> Errors, List<Chart> Charts, List<Image> Images, byte[] Screenshot);

    /// <summary>Opens <paramref name="path"/> in headless chromium and reads back what it drew.</summary>
    private static async Task<LoadedPage> OpenAsync(string path)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (scripts/install-deps.sh)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        page.RequestFailed += (_, request) => errors.Add($"request failed: {request.Url}");
        var response = await page.GotoAsync(new Uri(path).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        Assert.NotNull(response);
        var charts = await page.EvaluateAsync<JsonElement>(
            "() => [...document.querySelectorAll('svg.chart')].map(svg => { const lines = [...svg.querySelectorAll('polyline')]; "
            + "return { lines: lines.length, longest: Math.max(0, ...lines.map(l => l.points.numberOfItems)), width: Math.max(0, ...lines.map(l => l.getBBox().width)), "
            + "bars: svg.querySelectorAll('rect.bar').length, barHeight: Math.max(0, ...[...svg.querySelectorAll('rect.bar')].map(b => b.getBBox().height)) }; })");
        var images = await page.EvaluateAsync<JsonElement>(
            "() => [...document.images].map(i => ({ complete: i.complete, w: i.naturalWidth, h: i.naturalHeight }))");
        var screenshot = await page.ScreenshotAsync(new() { FullPage = true });
        return new LoadedPage(
            errors,
            [.. charts.EnumerateArray().Select(c => new Chart(c.GetProperty("lines").GetInt32(), c.GetProperty("longest").GetInt32(), c.GetProperty("width").GetDouble(), c.GetProperty("bars").GetInt32(), c.GetProperty("barHeight").GetDouble()))],
            [.. images.EnumerateArray().Select(i => new Image(i.GetProperty("complete").GetBoolean(), i.GetProperty("w").GetInt32(), i.GetProperty("h").GetInt32()))],
            screenshot);
    }

    /// <summary>The screenshot decodes, is not one flat colour, and holds many distinct colours (lines, text, grids).</summary>
    private static void AssertNotBlank(byte[] png)
    {
        var image = PngReader.Decode(png);
        Assert.True(image.Width >= 640 && image.Height >= 360, $"screenshot {image.Width}×{image.Height}");
        var colors = new HashSet<int>();
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < image.PlaneSize; i++)
        {
            var (r, g, b) = (image.Data[i], image.Data[image.PlaneSize + i], image.Data[2 * image.PlaneSize + i]);
            colors.Add(((int)(r * 15) << 8) | ((int)(g * 15) << 4) | (int)(b * 15));
            var luma = 0.299 * r + 0.587 * g + 0.114 * b;
            sum += luma;
            sumSquares += luma * luma;
        }
        var mean = sum / image.PlaneSize;
        var variance = sumSquares / image.PlaneSize - mean * mean;
        Assert.True(colors.Count >= 10, $"only {colors.Count} distinct colours in the screenshot");
        Assert.True(variance > 1e-3, $"screenshot luminance variance {variance:E2}");
    }
}
