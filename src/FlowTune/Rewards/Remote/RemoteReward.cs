using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using FlowTune.Imaging;
using FlowTune.IO;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace FlowTune.Rewards.Remote;

/// <summary>
/// A reward computed by an HTTP server (<c>reward.remote</c>): each batch is split into requests of
/// <see cref="RemoteRewardOptions.ImagesPerRequest"/> images, sent at most <see cref="RemoteRewardOptions.MaxConcurrency"/>
/// at a time as PNGs with their prompts and metadata. A request that times out, cannot connect, or gets HTTP 5xx, 408
/// or 429 is retried with exponential backoff; when the retries run out, or the server refuses the request (other
/// 4xx), or answers something that is not a valid response, scoring stops with a <see cref="RewardServerException"/>
/// naming the URL and the last status. Nothing in a response is executed: JSON is read as data, pickles by a strict
/// decoder that accepts only plain values.
/// </summary>
public sealed class RemoteReward : IRewardFunction, IDisposable
{
    private const long MaxResponseBytes = 64L << 20;

    private readonly RemoteRewardOptions _options;
    private readonly Uri _url;
    private readonly HttpClient _http;
    private readonly IRewardWireFormat _format;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly SemaphoreSlim _slots;
    private readonly TextWriter _log;

    /// <summary>A client for the server <paramref name="options"/> name; <paramref name="log"/> hears of retries.</summary>
    public RemoteReward(RemoteRewardOptions options, TextWriter? log = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Common.Validation.ThrowIfAny(options.Validate(), "reward.remote");
        _options = options;
        _url = new Uri(options.Url);
        _log = log ?? TextWriter.Null;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // each attempt is bounded by the pipeline's timeout
        _http.MaxResponseContentBufferSize = MaxResponseBytes;
        _format = options.Protocol == RewardServerProtocol.Json ? new JsonRewardFormat() : new PickleRewardFormat(options.OnlyStrict);
        _slots = new SemaphoreSlim(options.MaxConcurrency);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.Retries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                MaxRetryAttempts = options.Retries,
                Delay = TimeSpan.FromSeconds(options.BackoffSeconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    var why = args.Outcome.Exception is { } e ? Describe(e) : Status(args.Outcome.Result!);
                    _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  reward server {_url}: {why}; retry {args.AttemptNumber + 1}/{options.Retries} in {args.RetryDelay.TotalSeconds:F1} s"));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        _pipeline = pipeline.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds)).Build();
    }

    /// <inheritdoc />
    public string Name => RewardOptions.RemoteKey;

    /// <inheritdoc />
    public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(prompts);
        if (images.Count != prompts.Count)
        {
            throw new ArgumentException($"{images.Count} images but {prompts.Count} prompts");
        }
        var per = _options.ImagesPerRequest == 0 ? Math.Max(1, images.Count) : _options.ImagesPerRequest;
        var parts = Enumerable.Range(0, (images.Count + per - 1) / per)
            .Select(k => (Start: k * per, Count: Math.Min(per, images.Count - (k * per))))
            .Select(r => Request([.. images.Skip(r.Start).Take(r.Count)], [.. prompts.Skip(r.Start).Take(r.Count)]))
            .ToArray();
        try
        {
            Task.WaitAll(parts);
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<RewardServerException>().FirstOrDefault() is { } first)
        {
            throw first;
        }
        var scores = parts.SelectMany(p => p.Result.Scores).ToArray();
        var names = parts.Length == 0 ? [] : parts[0].Result.Components.Keys.Where(n => parts.All(p => p.Result.Components.ContainsKey(n))).ToList();
        var components = names.ToDictionary(n => n, n => parts.SelectMany(p => p.Result.Components[n]).ToArray(), StringComparer.Ordinal);
        return new RewardBatch(scores, components);
    }

    /// <summary>One request: encode, send through the retry pipeline, check and decode the answer.</summary>
    private async Task<RewardBatch> Request(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            var body = _format.Encode([.. images.Select(Encode)], prompts);
            var clock = Stopwatch.StartNew();
            var attempts = 0;
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.ExecuteAsync(async token =>
                {
                    attempts++;
                    var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue(_format.ContentType);
                    return await _http.PostAsync(_url, content, token).ConfigureAwait(false);
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or TaskCanceledException)
            {
                throw new RewardServerException(_url.ToString(), string.Create(CultureInfo.InvariantCulture,
                    $"no answer after {attempts} attempt(s) over {clock.Elapsed.TotalSeconds:F0} s; last: {Describe(e)}"), e);
            }
            using (response)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var why = IsTransient(response.StatusCode) ? $"still failing after {attempts} attempt(s) over {clock.Elapsed.TotalSeconds:F0} s" : "refused the request";
                    throw new RewardServerException(_url.ToString(), string.Create(CultureInfo.InvariantCulture, $"{why}; last status {Status(response)}: {_format.ErrorText(bytes)}"));
                }
                try
                {
                    return _format.Decode(bytes, images.Count);
                }
                catch (InvalidDataException e)
                {
                    throw new RewardServerException(_url.ToString(), $"invalid response (status {Status(response)}): {e.Message}", e);
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private byte[] Encode(RgbImage image) =>
        _options.EffectiveImageFormat == RewardImageFormat.Png ? PngWriter.Encode(image) : JpegWriter.Encode(image, _options.JpegQuality);

    private static bool IsTransient(HttpStatusCode code) =>
        (int)code >= 500 || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static string Status(HttpResponseMessage response) => $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException t => $"no answer within {t.Timeout.TotalSeconds:0.#} s",
        HttpRequestException { InnerException: { } inner } h => $"{h.Message} ({inner.Message})",
        _ => e.Message,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }
}
