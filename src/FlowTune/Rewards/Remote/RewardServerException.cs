namespace FlowTune.Rewards.Remote;

/// <summary>
/// A reward server could not score a batch: it stayed unreachable or failing through every retry, refused the request,
/// or answered something that is not a valid response. The message names the URL and the last status or problem.
/// </summary>
public sealed class RewardServerException : Exception
{
    /// <summary>Makes the exception.</summary>
    public RewardServerException(string url, string message, Exception? inner = null)
        : base($"reward server {url}: {message}", inner)
    {
        Url = url;
        Detail = message;
    }

    /// <summary>The server's URL.</summary>
    public string Url { get; }

    /// <summary>What went wrong, without the URL (the message is "reward server URL: detail").</summary>
    public string Detail { get; }
}
