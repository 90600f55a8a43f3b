using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Rewards;
using FlowTune.Rewards.Remote;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rewards.Remote;

public sealed class RewardServerTests
{
    private static readonly ShapesWorld World = new();

    /// <summary>Ground-truth renders with some prompts shifted (wrong colours), a blank and a noise image.</summary>
    private static (List<RgbImage> Images, List<GenEvalEntry> Entries) Batch(int count)
    {
        var (_, test) = World.DefaultPrompts();
        var entries = test.Where((_, i) => i % 3 == 0).Take(count).ToList();
        var images = entries.Select((e, i) => World.RenderGroundTruth(e, 32, i)).ToList();
        var prompts = entries.Select((e, i) => i % 2 == 0 ? e : entries[(i + 1) % entries.Count]).ToList();
        images.Add(RgbImage.Filled(16, 24, 0.07f, 0.07f, 0.09f));
        prompts.Add(entries[0]);
        var random = new Random(7);
        var noise = new RgbImage(20, 20);
        for (int i = 0; i < noise.Data.Length; i++)
        {
            noise.Data[i] = random.NextSingle();
        }

        images.Add(noise);
        prompts.Add(test.First(e => e.Include.Any(c => c.Color is not null)));
        return (images, prompts);
    }

    private static RewardBatch InProcess(List<RgbImage> images, List<GenEvalEntry> entries) =>
        new ColourReward().Score(images, entries.Select(e => new RewardPrompt(e.Prompt, e)).ToList());

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<HttpResponseMessage> PostJson(HttpClient client, RewardServerProcess server, object request) =>
        await client.PostAsync(server.Url("/score"), new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json"));

    private static object JsonRequest(List<RgbImage> images, List<GenEvalEntry> entries) => new
    {
        images = images.Select(i => Convert.ToBase64String(PngWriter.Encode(i))).ToArray(),
        prompts = entries.Select(e => e.Prompt).ToArray(),
        metadata = entries.Select(e => new { tag = GenEvalTags.Name(e.Tag) }).ToArray(),
    };

    private static byte[] PickleRequest(List<RgbImage> images, List<GenEvalEntry> entries, bool onlyStrict = false) => PickleWriter.Write(new Dictionary<string, object?>
    {
        ["images"] = images.Select(i => (object?)PngWriter.Encode(i)).ToList(),
        ["meta_datas"] = entries.Select(e => (object?)new Dictionary<string, object?> { ["tag"] = GenEvalTags.Name(e.Tag), ["prompt"] = e.Prompt }).ToList(),
        ["only_strict"] = onlyStrict,
    });

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9, $"item {i}: in-process {expected[i]:R}, server {actual[i]:R}");
        }
    }

    private static double[] Doubles(object? list) => Assert.IsAssignableFrom<List<object?>>(list).Select(v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public async Task Should_ScoreLikeColourReward_When_JsonBatchOfPngsIsPosted()
    {
        // Given
        using var server = RewardServerProcess.Start();
        using var client = Client();
        var (images, entries) = Batch(14);
        var expected = InProcess(images, entries);

        // When
        using var response = await PostJson(client, server, JsonRequest(images, entries));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = body.RootElement;
        AssertClose(expected.Scores, root.GetProperty("scores").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        foreach (var (name, values) in expected.Components)
        {
            AssertClose(values, root.GetProperty("components").GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray());
        }

        Assert.Contains(expected.Scores, s => s > 0 && s < 1);
        Assert.Contains(expected.Scores, s => s == 1);
    }

    [Fact]
    public async Task Should_AnswerInFlowGrpoShape_When_PickledRequestIsPosted()
    {
        // Given
        using var server = RewardServerProcess.Start();
        using var client = Client();
        var (images, entries) = Batch(10);
        var expected = InProcess(images, entries);

        // When
        using var response = await client.PostAsync(server.BaseAddress, new ByteArrayContent(PickleRequest(images, entries)));
        var decoded = PickleReader.Read(await response.Content.ReadAsByteArrayAsync());

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dict = Assert.IsType<Dictionary<string, object?>>(decoded);
        double[] scores = Doubles(dict["scores"]);
        AssertClose(expected.Scores, scores);
        Assert.Equal(scores.Select(s => s == 1.0 ? 1.0 : 0.0), Doubles(dict["strict_rewards"]));
        Assert.Equal(Doubles(dict["strict_rewards"]), Doubles(dict["rewards"]));
        var groups = Assert.IsType<Dictionary<string, object?>>(dict["group_rewards"]);
        Assert.Equal(GenEvalTags.All.Select(GenEvalTags.Name).Order(), groups.Keys.Order());
        for (int i = 0; i < entries.Count; i++)
        {
            foreach (var (tag, values) in groups)
            {
                double value = Doubles(values)[i];
                Assert.True(tag == GenEvalTags.Name(entries[i].Tag) ? value is 0.0 or 1.0 : value == -10.0, $"{tag}[{i}] = {value}");
            }
        }
    }

    [Fact]
    public async Task Should_ZeroNonStrictRewards_When_OnlyStrictIsSet()
    {
        // Given
        using var server = RewardServerProcess.Start();
        using var client = Client();
        var (images, entries) = Batch(4);

        // When
        using var response = await client.PostAsync(server.BaseAddress, new ByteArrayContent(PickleRequest(images, entries, onlyStrict: true)));
        var dict = Assert.IsType<Dictionary<string, object?>>(PickleReader.Read(await response.Content.ReadAsByteArrayAsync()));

        // Then
        Assert.All(Doubles(dict["rewards"]), r => Assert.Equal(0.0, r));
        Assert.Contains(Doubles(dict["strict_rewards"]), r => r == 1.0);
    }

    [Fact]
    public async Task Should_ReportTheColourRewardsPalette_When_HealthIsRequested()
    {
        // Given
        using var server = RewardServerProcess.Start();
        using var client = Client();

        // When
        using var response = await client.GetAsync(server.Url("/health"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var palette = body.RootElement.GetProperty("palette");
        Assert.Equal(ColourReward.Palette.Select(p => p.Name), palette.EnumerateObject().Select(p => p.Name));
        foreach (var (name, red, green, blue) in ColourReward.Palette)
        {
            Assert.Equal([red, green, blue], palette.GetProperty(name).EnumerateArray().Select(v => (byte)v.GetInt32()));
        }

        Assert.Equal(ColourReward.ForegroundThreshold, body.RootElement.GetProperty("foreground_threshold").GetInt32());
    }

    [Fact]
    public async Task Should_AnswerJsonErrors_When_RequestsAreBad()
    {
        // Given
        using var server = RewardServerProcess.Start();
        using var client = Client();
        var (images, _) = Batch(2);
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'];
        var jpegPickle = PickleWriter.Write(new Dictionary<string, object?>
        {
            ["images"] = new List<object?> { jpeg },
            ["meta_datas"] = new List<object?> { new Dictionary<string, object?> { ["prompt"] = "a red circle", ["tag"] = "colors" } },
            ["only_strict"] = false,
        });

        // When
        var cases = new List<(HttpResponseMessage Response, HttpStatusCode Expected, string Needle)>
        {
            (await client.PostAsync(server.Url("/score"), new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON"),
            (await PostJson(client, server, new { images = new[] { Convert.ToBase64String(PngWriter.Encode(images[0])) }, prompts = new[] { "a", "b" } }), HttpStatusCode.BadRequest, "1 images but 2 prompts"),
            (await PostJson(client, server, new { images = new[] { Convert.ToBase64String(jpeg) }, prompts = new[] { "a red circle" } }), HttpStatusCode.BadRequest, "JPEG not supported"),
            (await client.PostAsync(server.BaseAddress, new ByteArrayContent(jpegPickle)), HttpStatusCode.BadRequest, "JPEG not supported"),
            (await client.PostAsync(server.BaseAddress, new ByteArrayContent(PythonProcess.Run("import collections, pickle, sys; sys.stdout.buffer.write(pickle.dumps({'images': collections.OrderedDict()}))"))), HttpStatusCode.BadRequest, "collections.OrderedDict"),
            (await client.PostAsync(server.Url("/nowhere"), new StringContent("{}")), HttpStatusCode.NotFound, "no such endpoint"),
        };

        // Then
        foreach (var (response, expected, needle) in cases)
        {
            using (response)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(expected, response.StatusCode);
                Assert.Contains(needle, body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Should_SendScoresAsAnObject_When_HostileShape()
    {
        // Given
        using var server = RewardServerProcess.Start("--hostile", "shape");
        using var client = Client();
        var (images, entries) = Batch(3);

        // When
        using var json = await PostJson(client, server, JsonRequest(images, entries));
        using var jsonBody = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        using var pickled = await client.PostAsync(server.BaseAddress, new ByteArrayContent(PickleRequest(images, entries)));
        var pickleBody = Assert.IsType<Dictionary<string, object?>>(PickleReader.Read(await pickled.Content.ReadAsByteArrayAsync()));

        // Then
        Assert.Equal(JsonValueKind.Object, jsonBody.RootElement.GetProperty("scores").ValueKind);
        Assert.IsType<Dictionary<string, object?>>(pickleBody["scores"]);
    }

    [Fact]
    public async Task Should_SendOneScoreTooFew_When_HostileLength()
    {
        // Given
        using var server = RewardServerProcess.Start("--hostile", "length");
        using var client = Client();
        var (images, entries) = Batch(3);

        // When
        using var response = await PostJson(client, server, JsonRequest(images, entries));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(images.Count - 1, body.RootElement.GetProperty("scores").GetArrayLength());
        Assert.Equal(images.Count, body.RootElement.GetProperty("components").GetProperty("coverage").GetArrayLength());
    }

    [Fact]
    public async Task Should_SendABareNaNToken_When_HostileNan()
    {
        // Given
        using var server = RewardServerProcess.Start("--hostile", "nan");
        using var client = Client();
        var (images, entries) = Batch(3);

        // When
        using var response = await PostJson(client, server, JsonRequest(images, entries));
        string text = await response.Content.ReadAsStringAsync();

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        var lenient = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        var parsed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text.Replace("NaN", "\"NaN\"", StringComparison.Ordinal))!;
        double[] scores = parsed["scores"].Deserialize<double[]>(lenient)!;
        Assert.True(double.IsNaN(scores[0]));
        Assert.Equal(images.Count, scores.Length);
    }

    [Fact]
    public async Task Should_BeRejectedByTheStrictReaderWithoutRunning_When_HostilePickleGlobal()
    {
        // Given
        string marker = Path.Combine(Path.GetTempPath(), $"flowtune-hostile-{Guid.NewGuid():N}");
        using var server = RewardServerProcess.Start("--hostile", "pickle-global", "--hostile-command", $"touch {marker}");
        using var client = Client();
        var (images, entries) = Batch(2);

        // When
        using var response = await client.PostAsync(server.BaseAddress, new ByteArrayContent(PickleRequest(images, entries)));
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        var error = Assert.Throws<PickleRejectedException>(() => PickleReader.Read(body));

        // Then
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GLOBAL", error.OpcodeName);
        Assert.Equal("os.system", error.Global);
        Assert.Contains("os.system", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the hostile pickle ran");
    }

    [Fact]
    public async Task Should_AnswerTheFailureStatusToEverything_When_FailAfterIsReached()
    {
        // Given
        using var server = RewardServerProcess.Start("--fail-after", "2");
        using var client = Client();
        var (images, entries) = Batch(2);

        // When
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++)
        {
            using var response = await PostJson(client, server, JsonRequest(images, entries));
            statuses.Add(response.StatusCode);
        }

        using var health = await client.GetAsync(server.Url("/health"));

        // Then
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable], statuses);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Should_FailEveryRequestWithThatCode_When_OnlyFailStatusIsGiven()
    {
        // Given
        using var server = RewardServerProcess.Start("--fail-status", "500");
        using var client = Client();
        var (images, entries) = Batch(1);

        // When
        using var response = await PostJson(client, server, JsonRequest(images, entries));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Then
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("injected", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_ServeRequestsConcurrently_When_EachIsDelayed()
    {
        // Given
        const double delay = 1.5;
        const int requests = 4;
        using var server = RewardServerProcess.Start("--delay", "1.5");
        using var client = Client();
        var (images, entries) = Batch(1);
        var request = JsonRequest(images, entries);

        // When
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => PostJson(client, server, request)));
        clock.Stop();

        // Then
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(clock.Elapsed.TotalSeconds >= delay, $"{clock.Elapsed}");
        Assert.True(clock.Elapsed.TotalSeconds < delay * requests * 0.8, $"{requests} requests of {delay} s took {clock.Elapsed}: not concurrent");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
