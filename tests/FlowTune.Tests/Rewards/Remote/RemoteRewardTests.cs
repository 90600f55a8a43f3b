using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Rewards;
using FlowTune.Rewards.Remote;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FlowTune.Tests.Rewards.Remote;

/// <summary><see cref="RemoteReward"/> against the reference server as a real process: scores, retries, stops, hostile answers.</summary>
public sealed class RemoteRewardTests
{
    private static readonly ShapesWorld World = new();

    /// <summary>Ground-truth renders, half of them scored against another prompt (wrong colours).</summary>
    private static (List<RgbImage> Images, List<RewardPrompt> Prompts) Batch(int count)
    {
        var (_, test) = World.DefaultPrompts();
        var entries = test.Where(e => e.Include.Any(c => c.Color is not null)).Take(count).ToList();
        var images = entries.Select((e, i) => World.RenderGroundTruth(e, 32, i)).ToList();
        var prompts = entries.Select((e, i) => i % 2 == 0 ? e : entries[(i + 1) % entries.Count]).Select(e => new RewardPrompt(e.Prompt, e)).ToList();
        return (images, prompts);
    }

    private static RemoteRewardOptions Options(RewardServerProcess server, string path = "/score") => new()
    {
        Url = server.Url(path).ToString(),
        Retries = 2,
        BackoffSeconds = 0.05,
        TimeoutSeconds = 20,
    };

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 2)]
    public void Should_MatchTheInProcessReward_When_ScoredOverJson(int imagesPerRequest, int concurrency)
    {
        // Given
        using var server = RewardServerProcess.Start();
        var (images, prompts) = Batch(8);
        using var remote = new RemoteReward(Options(server) with { ImagesPerRequest = imagesPerRequest, MaxConcurrency = concurrency });

        // When
        var scored = remote.Score(images, prompts);
        var local = new ColourReward().Score(images, prompts);

        // Then: same scores and components, in order, whether the batch went in one request or in parallel parts
        Assert.Equal(local.Scores.Length, scored.Scores.Length);
        Assert.All(local.Scores.Zip(scored.Scores), p => Assert.Equal(p.First, p.Second, 1e-9));
        Assert.Contains(local.Scores, s => s < 0.5);
        Assert.Contains(local.Scores, s => s > 0.5);
        Assert.All(local.Components["coverage"].Zip(scored.Components["coverage"]), p => Assert.Equal(p.First, p.Second, 1e-9));
    }

    [Fact]
    public void Should_ReadTheReferenceResponse_When_ThePickleProtocolIsUsed()
    {
        // Given: the reference server's pickle mode, images as PNG (this stdlib server decodes no JPEG)
        using var server = RewardServerProcess.Start();
        var (images, prompts) = Batch(6);
        using var remote = new RemoteReward(Options(server, "/") with { Protocol = RewardServerProtocol.Pickle, ImageFormat = RewardImageFormat.Png });

        // When
        var scored = remote.Score(images, prompts);
        var local = new ColourReward().Score(images, prompts);

        // Then: scores are the partial credit; rewards and strict_rewards come along as components
        Assert.All(local.Scores.Zip(scored.Scores), p => Assert.Equal(p.First, p.Second, 1e-9));
        Assert.Equal(local.Scores.Select(s => s == 1.0 ? 1.0 : 0.0), scored.Components["strict_rewards"]);
        Assert.Equal(scored.Components["strict_rewards"], scored.Components["rewards"]);
    }

    [Fact]
    public void Should_SendJpeg_When_ThePickleProtocolKeepsItsDefaultFormat()
    {
        // Given: the reference GenEval server opens JPEG only, so pickle mode sends JPEG unless told otherwise
        using var server = RewardServerProcess.Start();
        var (images, prompts) = Batch(2);
        using var remote = new RemoteReward(Options(server, "/") with { Protocol = RewardServerProtocol.Pickle });

        // When: this stdlib server answers JPEG with 400
        var error = Assert.Throws<RewardServerException>(() => remote.Score(images, prompts));

        // Then: a 4xx is not retried, and the server's own reason reaches the user
        Assert.Contains("refused the request; last status HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("JPEG not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_KeepThePixels_When_AnImageIsEncodedAsJpeg()
    {
        // Given
        var image = World.RenderGroundTruth(Batch(1).Prompts[0].Metadata as GenEvalEntry ?? throw new InvalidOperationException(), 32, 0);

        // When
        var jpeg = JpegWriter.Encode(image, quality: 95);
        using var decoded = Image.Load<Rgb24>(jpeg);

        // Then: a JPEG file of the same size whose pixels stay close to the PNG bytes (lossy, so not exact)
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
        double error = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var p = decoded[x, y];
                error += Math.Abs(p.R - PngWriter.ToByte(image[0, y, x])) + Math.Abs(p.G - PngWriter.ToByte(image[1, y, x])) + Math.Abs(p.B - PngWriter.ToByte(image[2, y, x]));
            }
        }
        Assert.InRange(error / (3.0 * image.PlaneSize), 0, 12);
    }

    [Theory]
    [InlineData("shape", "\"scores\" must be a list of numbers, got an object")]
    [InlineData("length", "scores has 3 values for 4 images")]
    [InlineData("nan", "not valid JSON")]
    public void Should_RefuseTheAnswer_When_TheJsonResponseIsMalformed(string mode, string expected)
    {
        // Given
        using var server = RewardServerProcess.Start("--hostile", mode);
        var (images, prompts) = Batch(4);
        using var remote = new RemoteReward(Options(server));

        // When
        var error = Assert.Throws<RewardServerException>(() => remote.Score(images, prompts));

        // Then
        Assert.Contains($"reward server {server.Url("/score")}: invalid response", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ExecuteNothing_When_APickleResponseNamesAFunction()
    {
        // Given: the server answers a pickle of os.system("touch <marker>")
        var marker = Path.Combine(Path.GetTempPath(), $"pwned-{Guid.NewGuid():N}");
        using var server = RewardServerProcess.Start("--hostile", "pickle-global", "--hostile-command", $"touch {marker}");
        var (images, prompts) = Batch(2);
        using var remote = new RemoteReward(Options(server, "/") with { Protocol = RewardServerProtocol.Pickle, ImageFormat = RewardImageFormat.Png });

        // When
        var error = Assert.Throws<RewardServerException>(() => remote.Score(images, prompts));

        // Then
        Assert.Contains("refused pickle", error.Message, StringComparison.Ordinal);
        Assert.Contains("os.system", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "nothing from the response may run");
    }

    [Fact]
    public void Should_RetryAndThenStopNamingTheUrlAndStatus_When_TheServerKeepsFailing()
    {
        // Given: every request fails with 503
        using var server = RewardServerProcess.Start("--fail-status", "503");
        var (images, prompts) = Batch(2);
        var log = new StringWriter();
        using var remote = new RemoteReward(Options(server), log);

        // When
        var error = Assert.Throws<RewardServerException>(() => remote.Score(images, prompts));

        // Then: 1 + 2 retries, each retry announced
        Assert.Equal(server.Url("/score").ToString(), error.Url);
        Assert.Contains("still failing after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("last status HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, log.ToString().Split('\n').Count(l => l.Contains("HTTP 503", StringComparison.Ordinal) && l.Contains("retry", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_RecoverWithinTheRetries_When_TheServerComesBack()
    {
        // Given: a port with nothing listening, and a server started there while the client backs off
        int port;
        using (var probe = RewardServerProcess.Start())
        {
            port = probe.Port;
        }
        var (images, prompts) = Batch(2);
        using var remote = new RemoteReward(new RemoteRewardOptions { Url = $"http://127.0.0.1:{port}/score", Retries = 8, BackoffSeconds = 0.2 });
        RewardServerProcess? late = null;
        var starter = Task.Run(async () =>
        {
            await Task.Delay(400);
            late = RewardServerProcess.Start("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });

        // When
        try
        {
            var scored = remote.Score(images, prompts);

            // Then
            Assert.All(new ColourReward().Score(images, prompts).Scores.Zip(scored.Scores), p => Assert.Equal(p.First, p.Second, 1e-9));
        }
        finally
        {
            await starter;
            late?.Dispose();
        }
    }

    [Fact]
    public void Should_StopNamingTheTimeout_When_TheServerDoesNotAnswerInTime()
    {
        // Given
        using var server = RewardServerProcess.Start("--delay", "3");
        var (images, prompts) = Batch(1);
        using var remote = new RemoteReward(Options(server) with { TimeoutSeconds = 0.3, Retries = 1 });

        // When
        var error = Assert.Throws<RewardServerException>(() => remote.Score(images, prompts));

        // Then
        Assert.Contains("no answer after 2 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("no answer within 0.3 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameEveryBadField_When_TheRemoteOptionsAreInvalid()
    {
        // When
        var problems = new RemoteRewardOptions { Url = "ftp://x", TimeoutSeconds = 0, Retries = -1, MaxConcurrency = 0, JpegQuality = 0 }.Validate().ToList();

        // Then
        Assert.Equal(5, problems.Count);
        Assert.Contains("url must be an http:// or https:// address, got 'ftp://x'", problems);
    }
}
