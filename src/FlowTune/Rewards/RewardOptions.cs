using FlowTune.Rewards.Remote;

namespace FlowTune.Rewards;

/// <summary>
/// The reward of an RL run (<c>reward:</c>): in-process rewards by registry name with their weights
/// (<c>geneval: 1.0</c>), and optionally a reward server (<c>remote: {url: ..., weight: ...}</c>); the run's reward
/// is the weighted sum of all of them, each logged as a component under its name.
/// </summary>
public sealed record RewardOptions
{
    /// <summary>The YAML key of the reward server inside <c>reward:</c>.</summary>
    public const string RemoteKey = "remote";

    /// <summary>In-process rewards (registry names, e.g. geneval) and their weights; empty when only a server scores.</summary>
    public Dictionary<string, double> Weights { get; init; } = new() { ["geneval"] = 1.0 };

    /// <summary>A reward server scoring every batch over HTTP (docs/REWARD_SERVER.md); null = none.</summary>
    public RemoteRewardOptions? Remote { get; init; }

    /// <summary>Every problem with the values, each naming its key and value.</summary>
    public IEnumerable<string> Validate()
    {
        if (Weights.Count == 0 && Remote is null)
        {
            yield return "reward must name at least one reward, e.g. {geneval: 1.0} or {remote: {url: ...}}";
        }
        foreach (var (name, weight) in Weights)
        {
            if (!double.IsFinite(weight))
            {
                yield return $"reward.{name} must be a finite weight, got {weight}";
            }
        }
        if (Remote is not null)
        {
            foreach (var problem in Remote.Validate())
            {
                yield return $"reward.{RemoteKey}.{problem}";
            }
        }
    }
}
