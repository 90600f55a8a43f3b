using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Rewards;

/// <summary>
/// A weighted sum of rewards (<c>{"geneval": 1.0, "other": 0.5}</c>). Each part's total is logged as a component
/// under its name, and its own components as <c>name/component</c> (when they differ from the total).
/// </summary>
public sealed class WeightedReward : IRewardFunction, IDisposable
{
    private readonly IReadOnlyList<(IRewardFunction Reward, double Weight)> _parts;

    /// <summary>Combines <paramref name="parts"/>.</summary>
    public WeightedReward(IReadOnlyList<(IRewardFunction Reward, double Weight)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("a weighted reward needs at least one part");
        }
        _parts = parts;
    }

    /// <inheritdoc />
    public string Name => string.Join("+", _parts.Select(p => p.Reward.Name));

    /// <inheritdoc />
    public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(images);
        var total = new double[images.Count];
        var components = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (reward, weight) in _parts)
        {
            var batch = reward.Score(images, prompts);
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += weight * batch.Scores[i];
            }
            components[reward.Name] = batch.Scores;
            foreach (var (name, values) in batch.Components)
            {
                if (name != reward.Name)
                {
                    components[$"{reward.Name}/{name}"] = values;
                }
            }
        }
        return new RewardBatch(total, components);
    }

    /// <summary>Disposes the parts that hold resources (a reward server's connections).</summary>
    public void Dispose()
    {
        foreach (var (reward, _) in _parts)
        {
            (reward as IDisposable)?.Dispose();
        }
    }
}
