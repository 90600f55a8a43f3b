using FlowTune.Common;
using FlowTune.Rewards;
using FlowTune.Rl.SuperFlow;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>
/// Collects an epoch's rollouts: fixed groups (P prompts × K images, Flow-GRPO) or variance-aware groups (SuperFlow:
/// a budget spread in rounds by each prompt's estimated reward std). Rewards are scored on a worker thread while
/// the next batch samples; with step-level advantages the one-step predictions of every step are scored too.
/// </summary>
public sealed class EpochSampler(GrpoConfig config, GrpoPolicy policy, AsyncRewardScorer scorer, PromptRewardTracker tracker)
{
    private const long NoiseStream = 12, PromptStream = 11, InitialNoiseStream = 13;

    /// <summary>The epoch's prompts (group id = index) and rollout batches.</summary>
    public (List<GenEvalEntry> Groups, List<RolloutBatch> Batches) Collect(int epoch, IReadOnlyList<GenEvalEntry> train, EpochPrompts prompts)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(prompts);
        var s = config.Sample;
        var sf = config.Superflow;
        var seed = Seeds.Derive31(config.Seed, PromptStream, epoch);
        if (!sf.AdaptiveGroups)
        {
            var fixedGroups = prompts.Draw(s.NumGroupsPerEpoch, seed).Select(i => train[i]).ToList();
            var slots = Enumerable.Range(0, fixedGroups.Count).SelectMany(g => Enumerable.Repeat(g, s.NumImagePerPrompt)).ToList();
            return (fixedGroups, Roll(epoch, 0, slots, fixedGroups));
        }
        var budget = config.ImagesPerEpoch();
        var candidates = prompts.Draw(Math.Max(4 * s.NumGroupsPerEpoch, 2 * budget / sf.FirstRoundSize), seed).Distinct().Select(i => train[i]).ToList();
        var std = Ranking(candidates, sf);
        var first = GroupAllocator.FirstRound(std, budget, sf, sf.StratifyTags ? candidates.Select(c => c.Tag).ToList() : null);
        var groups = first.Select(f => candidates[f.Candidate]).ToList();
        var batches = Roll(epoch, 1, first.SelectMany((f, g) => Enumerable.Repeat(g, f.Size)).ToList(), groups);
        var rewards = GroupRewards(batches, groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            tracker.Update(groups[g].Prompt, rewards[g]);
        }
        var used = first.Sum(f => f.Size);
        var active = Enumerable.Range(0, groups.Count).Where(g => !GroupAllocator.AllEqual(rewards[g])).ToList();
        var extra = GroupAllocator.Neyman(Ranking(active.Select(g => groups[g]).ToList(), sf),
            active.Select(g => sf.MaxGroupSize - rewards[g].Count).ToList(), budget - used);
        var second = active.SelectMany((g, i) => Enumerable.Repeat(g, extra[i])).ToList();
        used += second.Count;
        var fresh = candidates.Except(groups).ToList();
        var third = new List<int>();
        while (budget - used >= sf.MinGroupSize && fresh.Count > 0)
        {
            var size = Math.Min(sf.FirstRoundSize, budget - used);
            groups.Add(fresh[0]);
            fresh.RemoveAt(0);
            third.AddRange(Enumerable.Repeat(groups.Count - 1, size));
            used += size;
        }
        var later = Roll(epoch, 2, second.Concat(third).ToList(), groups);
        var laterRewards = GroupRewards(later, groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            tracker.Update(groups[g].Prompt, laterRewards[g]);
        }
        batches.AddRange(later);
        return (groups, batches);
    }

    /// <summary>Each prompt's estimated reward std, relative to its tag's mean when <c>stratify_tags</c> is on.</summary>
    private IReadOnlyList<double> Ranking(IReadOnlyList<GenEvalEntry> entries, AdaptiveGroupOptions sf)
    {
        var std = entries.Select(e => tracker.EstimatedStd(e.Prompt, sf.PriorStrength)).ToList();
        return sf.StratifyTags ? GroupAllocator.RelativeToKeyMean(std, entries.Select(e => e.Tag).ToList()) : std;
    }

    private static List<List<double>> GroupRewards(List<RolloutBatch> batches, int groups)
    {
        var result = Enumerable.Range(0, groups).Select(_ => new List<double>()).ToList();
        foreach (var b in batches)
        {
            var scores = b.Rewards.GetAwaiter().GetResult().Scores;
            for (var i = 0; i < scores.Length; i++)
            {
                result[b.Groups[i]].Add(scores[i]);
            }
        }
        return result;
    }

    /// <summary>x_1 for the given slots, one draw per group of the epoch (the same in every round): [B, C, H, W].</summary>
    private Tensor GroupNoise(int epoch, List<int> ids)
    {
        long[] shape = [1, .. policy.RolloutPolicy.SampleShape];
        var perGroup = ids.Distinct().ToDictionary(g => g, g =>
        {
            using var generator = new Generator(Seeds.Derive(config.Seed, InitialNoiseStream, epoch * 100_000L + g));
            return Tensor.Randn(shape, generator);                              // [1, C, H, W]
        });
        return Tensor.Cat(ids.Select(g => perGroup[g]).ToList(), 0);
    }

    /// <summary>Samples the given slots (group id per rollout) in batches; scoring starts as each batch finishes.</summary>
    private List<RolloutBatch> Roll(int epoch, int round, List<int> slots, IReadOnlyList<GenEvalEntry> groups)
    {
        var options = config.Sample.ToSamplerOptions();
        var steps = config.Superflow.StepAdvantages;
        var batches = new List<RolloutBatch>();
        for (var start = 0; start < slots.Count; start += config.Sample.BatchSize)
        {
            var ids = slots.Skip(start).Take(config.Sample.BatchSize).ToList();
            var texts = ids.Select(g => groups[g].Prompt).ToList();
            var rewardPrompts = ids.Select(g => new RewardPrompt(groups[g].Prompt, groups[g])).ToList();
            using var scope = TensorScope.Enter();
            using var generator = new Generator(Seeds.Derive(config.Seed, NoiseStream, epoch * 1_000_000L + round * 100_000L + start));
            using var velocity = StageTimes.Time(StageTimes.SampleTextEncode, () => new GuidedVelocity(policy.RolloutPolicy, texts, options.GuidanceScale));
            var initial = config.Sample.SameInitialNoise ? GroupNoise(epoch, ids) : null;
            var trajectory = SdeSampler.Rollout(policy.RolloutPolicy, velocity, ids.Count, options, generator, recordPredictions: steps, initial);
            scope.MoveToOuter([trajectory.States, trajectory.LogProbs]);
            var final = scorer.Start(StageTimes.Time(StageTimes.ToImages, () => ImageTensors.ToImages(PixelSpace.ToPixels(trajectory.Final()))), rewardPrompts);
            Task<double[][]>? values = null;
            if (trajectory.Predictions is { } predictions)
            {
                var perStep = Enumerable.Range(0, options.Steps)
                    .Select(k => ImageTensors.ToImages(PixelSpace.ToPixels(predictions.Select(1, k)))).ToList();
                trajectory.Predictions.Dispose();
                values = Task.Run(async () =>
                {
                    var stepScores = perStep.Select(images => scorer.Reward.Score(images, rewardPrompts).Scores).ToList();
                    var last = (await final.ConfigureAwait(false)).Scores;
                    return Enumerable.Range(0, ids.Count).Select(i => stepScores.Select(s => s[i]).Append(last[i]).ToArray()).ToArray();
                });
            }
            batches.Add(new RolloutBatch(trajectory with { Predictions = null }, ids, texts, final) { Values = values });
        }
        return batches;
    }
}
