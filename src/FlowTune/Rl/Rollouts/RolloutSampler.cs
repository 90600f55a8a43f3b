using FlowTune.Common;
using FlowTune.Models;
using FlowTune.Rl.Groups;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Rl.Rollouts;

/// <summary>
/// The rollout stage: samples a planner's round in batches of <c>sample.batch_size</c> with the sampling network
/// (docs/ALGORITHMS.md §4), keeping what the objective and the advantage estimator asked for. Batches are produced
/// lazily, so the caller can start scoring one while the next samples.
/// </summary>
/// <param name="options">The <c>sample</c> section.</param>
/// <param name="seed">The run seed (noise streams <see cref="RandomStreams.RlRolloutNoise"/>, <see cref="RandomStreams.RlGroupInitialNoise"/>).</param>
/// <param name="model">The network that samples (the trained policy, or a separate sampling policy).</param>
/// <param name="keepTrajectory">Keep states and log-probs (objectives that train on transitions).</param>
/// <param name="recordPredictions">Also render each step's one-step prediction (step-level values).</param>
public sealed class RolloutSampler(RolloutOptions options, int seed, IVelocityModel model, bool keepTrajectory, bool recordPredictions)
{
    private readonly SdeSamplerOptions _sampler = options.ToSamplerOptions();

    /// <summary>Rollouts per batch (the last batch of a round may hold fewer).</summary>
    public int BatchSize => options.BatchSize;

    /// <summary>
    /// The round's rollouts, batch by batch (each batch is owned by the caller). With <paramref name="owns"/>, only the
    /// batches whose index in the round it accepts (a data-parallel rank's share); a batch's noise derives from its
    /// position alone, so a share holds exactly the rollouts the whole round would.
    /// </summary>
    public IEnumerable<SampledBatch> Sample(GroupRound round, Func<int, bool>? owns = null)
    {
        ArgumentNullException.ThrowIfNull(round);
        for (var start = 0; start < round.Slots.Count; start += options.BatchSize)
        {
            if (owns is not null && !owns(start / options.BatchSize))
            {
                continue;
            }
            var ids = round.Slots.Skip(start).Take(options.BatchSize).ToList();
            yield return SampleBatch(round, start, ids);
        }
    }

    private SampledBatch SampleBatch(GroupRound round, int start, List<int> ids)
    {
        var prompts = ids.Select(g => round.Groups[g]).ToList();
        // encoded outside the batch scope: the batch keeps the encodings for training
        var velocity = StageTimes.Time(StageTimes.SampleTextEncode, () => new GuidedVelocity(model, [.. prompts.Select(p => p.Text)], options.GuidanceScale));
        using var scope = TensorScope.Enter();
        using var generator = new Generator(Seeds.Derive(seed, RandomStreams.RlRolloutNoise, round.Epoch * 1_000_000L + round.Index * 100_000L + start));
        var initial = options.SameInitialNoise ? GroupNoise(round.Epoch, ids) : null;
        var trajectory = SdeSampler.Rollout(model, velocity, ids.Count, _sampler, generator, recordPredictions, initial);
        var final = trajectory.Final();                                                       // [B, C, H, W]
        var images = StageTimes.Time(StageTimes.ToImages, () => ImageTensors.ToImages(model.ToPixels(final)));
        IReadOnlyList<IReadOnlyList<RgbImage>>? stepImages = null;
        if (trajectory.Predictions is { } predictions)                                        // [B, T, C, H, W]
        {
            stepImages = [.. Enumerable.Range(0, options.NumSteps).Select(k => ImageTensors.ToImages(model.ToPixels(predictions.Select(1, k))))];
            predictions.Dispose();
        }
        Trajectory? kept = null;
        if (keepTrajectory)
        {
            kept = trajectory with { Predictions = null };
            scope.MoveToOuter([kept.States, kept.LogProbs, final]);
        }
        else
        {
            final = scope.MoveToOuter(final.Clone());                                         // the states are freed with the scope
        }
        return new SampledBatch(new RolloutBatch(round.Index, ids, prompts, final, trajectory.Times, kept, velocity), images, stepImages);
    }

    /// <summary>x_1 for the given slots, one draw per group of the epoch (the same in every round): [B, C, H, W].</summary>
    private Tensor GroupNoise(int epoch, List<int> ids)
    {
        long[] shape = [1, .. model.SampleShape];
        var perGroup = ids.Distinct().ToDictionary(g => g, g =>
        {
            using var generator = new Generator(Seeds.Derive(seed, RandomStreams.RlGroupInitialNoise, epoch * 100_000L + g));
            return Tensor.Randn(shape, generator);                                            // [1, C, H, W]
        });
        return Tensor.Cat(ids.Select(g => perGroup[g]).ToList(), 0);
    }
}
