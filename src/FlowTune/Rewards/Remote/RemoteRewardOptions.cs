namespace FlowTune.Rewards.Remote;

/// <summary>Which wire format a reward server speaks (docs/REWARD_SERVER.md).</summary>
public enum RewardServerProtocol
{
    /// <summary>FlowTune's JSON protocol: PNG images as base64 with prompts and metadata; scores and named components back.</summary>
    Json,

    /// <summary>The reference code's protocol: a pickled dict of image bytes and metadata; a pickled dict back (decoded strictly).</summary>
    Pickle,
}

/// <summary>How images are encoded in a request.</summary>
public enum RewardImageFormat
{
    /// <summary>Lossless PNG (the JSON protocol's format; the reference server here decodes only PNG).</summary>
    Png,

    /// <summary>Baseline JPEG (what the reference GenEval server opens: it refuses PNG).</summary>
    Jpeg,
}

/// <summary>A reward server (<c>reward.remote.*</c>): where it is, how batches are sent and how long to wait for it.</summary>
public sealed record RemoteRewardOptions
{
    /// <summary>The endpoint batches are POSTed to, e.g. <c>http://127.0.0.1:18085/score</c> (http or https).</summary>
    public string Url { get; init; } = "";

    /// <summary>Weight of the server's score in the run's reward (added to the in-process rewards' weighted sum).</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>Wire format: <c>json</c> (ours) or <c>pickle</c> (the reference code's GenEval/OCR servers).</summary>
    public RewardServerProtocol Protocol { get; init; } = RewardServerProtocol.Json;

    /// <summary>
    /// How images are encoded: <c>png</c> or <c>jpeg</c>; unset = the protocol's usual one (json: png; pickle: jpeg,
    /// which the reference GenEval server requires; set png to talk to tools/reward_server in pickle mode).
    /// </summary>
    public RewardImageFormat? ImageFormat { get; init; }

    /// <summary>JPEG quality (1-100) when images are sent as JPEG.</summary>
    public int JpegQuality { get; init; } = 95;

    /// <summary>Seconds one request may take before it counts as failed (and is retried).</summary>
    public double TimeoutSeconds { get; init; } = 120;

    /// <summary>Retries of a request after a connection error, a timeout or an HTTP 5xx/408/429 answer (0 = none).</summary>
    public int Retries { get; init; } = 5;

    /// <summary>Wait before the first retry in seconds; each further retry waits twice as long (with jitter).</summary>
    public double BackoffSeconds { get; init; } = 1.0;

    /// <summary>Images per request (0 = a rollout batch's images in one request).</summary>
    public int ImagesPerRequest { get; init; }

    /// <summary>Requests in flight at once (a batch split by <see cref="ImagesPerRequest"/> goes out in parallel up to this).</summary>
    public int MaxConcurrency { get; init; } = 2;

    /// <summary>With the pickle protocol: ask the server for its strict score (the reference's <c>only_strict</c>).</summary>
    public bool OnlyStrict { get; init; }

    /// <summary>The image encoding in force (<see cref="ImageFormat"/>, else the protocol's usual one).</summary>
    public RewardImageFormat EffectiveImageFormat => ImageFormat ?? (Protocol == RewardServerProtocol.Json ? RewardImageFormat.Png : RewardImageFormat.Jpeg);

    /// <summary>Every problem with the values, each naming its key (relative to <c>reward.remote</c>) and value.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"url must be an http:// or https:// address, got '{Url}'";
        }
        if (!double.IsFinite(Weight))
        {
            yield return $"weight must be a finite number, got {Weight}";
        }
        if (!(TimeoutSeconds > 0) || double.IsInfinity(TimeoutSeconds))
        {
            yield return $"timeout_seconds must be positive, got {TimeoutSeconds}";
        }
        if (Retries is < 0 or > 20)
        {
            yield return $"retries must be in [0, 20], got {Retries}";
        }
        if (!(BackoffSeconds >= 0) || double.IsInfinity(BackoffSeconds))
        {
            yield return $"backoff_seconds must be >= 0, got {BackoffSeconds}";
        }
        if (ImagesPerRequest < 0)
        {
            yield return $"images_per_request must be >= 0, got {ImagesPerRequest}";
        }
        if (JpegQuality is < 1 or > 100)
        {
            yield return $"jpeg_quality must be in [1, 100], got {JpegQuality}";
        }
        if (MaxConcurrency < 1)
        {
            yield return $"max_concurrency must be >= 1, got {MaxConcurrency}";
        }
    }
}
