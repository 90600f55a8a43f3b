using FlowTune.Worlds;

namespace FlowTune.Rewards;

/// <summary>Rewards by name, built for a world; <see cref="Create"/> turns a name → weight map into one reward.</summary>
public static class RewardRegistry
{
    private static readonly Dictionary<string, Func<IWorld, IRewardFunction>> Factories = new(StringComparer.Ordinal)
    {
        ["geneval"] = world => new GenEvalReward(world.Judge()),
        ["colour"] = _ => new ColourReward(),
    };

    /// <summary>Registered names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Adds (or replaces) a reward factory, e.g. for an external reward server.</summary>
    public static void Register(string name, Func<IWorld, IRewardFunction> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>
    /// The run's reward: the weighted sum of the named in-process rewards and the reward server, if any (a single
    /// reward of weight 1 is used as is). Errors name unknown rewards and bad weights; <paramref name="log"/> hears
    /// of a reward server's retries.
    /// </summary>
    public static IRewardFunction Create(RewardOptions options, IWorld world, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(world);
        var problems = options.Validate().ToList();
        foreach (var name in options.Weights.Keys.Where(n => !Factories.ContainsKey(n)))
        {
            problems.Add($"unknown reward '{name}' (known: {string.Join(", ", Factories.Keys)})");
        }
        Common.Validation.ThrowIfAny(problems, "reward");
        var parts = options.Weights.Select(kv => (Factories[kv.Key](world), kv.Value)).ToList();
        if (options.Remote is { } remote)
        {
            parts.Add((new Remote.RemoteReward(remote, log), remote.Weight));
        }
        return parts.Count == 1 && parts[0].Value == 1.0 ? parts[0].Item1 : new WeightedReward(parts);
    }
}
