namespace FlowTune.Distributed;

/// <summary>A collective failed: a rank died, hung past the timeout, or the network broke. The message names the lost ranks.</summary>
public sealed class DistributedException(string message, IReadOnlyList<int> lostRanks, Exception inner) : Exception(message, inner)
{
    /// <summary>The ranks whose heartbeat stopped (empty when every rank still beats: a hang or a network fault).</summary>
    public IReadOnlyList<int> LostRanks { get; } = lostRanks;
}
