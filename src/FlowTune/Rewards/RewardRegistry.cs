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

    /// <summary>The weighted sum of the named rewards; errors name unknown rewards and bad weights.</summary>
    public static IRewardFunction Create(IReadOnlyDictionary<string, double> weights, IWorld world)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(world);
        var problems = new List<string>();
        if (weights.Count == 0)
        {
            problems.Add("no reward given (e.g. {\"geneval\": 1.0})");
        }
        foreach (var (name, weight) in weights)
        {
            if (!Factories.ContainsKey(name))
            {
                problems.Add($"unknown reward '{name}' (known: {string.Join(", ", Factories.Keys)})");
            }
            if (!double.IsFinite(weight))
            {
                problems.Add($"reward '{name}' has a non-finite weight {weight}");
            }
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }
        var parts = weights.Select(kv => (Factories[kv.Key](world), kv.Value)).ToList();
        return parts.Count == 1 && parts[0].Value == 1.0 ? parts[0].Item1 : new WeightedReward(parts);
    }
}
