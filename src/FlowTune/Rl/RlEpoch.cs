using System.Diagnostics;
using FlowTune.Common;
using FlowTune.Rewards;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.Scoring;
using FlowTune.Rl.SuperFlow;
using FlowTune.Rl.Update;
using FlowTune.Training;

namespace FlowTune.Rl;

/// <summary>What one epoch produced: its metrics record and one record per optimizer update.</summary>
public sealed record EpochResult(EpochMetrics Metrics, IReadOnlyList<UpdateMetrics> Updates);

/// <summary>
/// One RL epoch as a pipeline of stages with immutable records between them (docs/ALGORITHMS.md §5):
/// prompts (<see cref="PromptDraw"/>) → groups (<see cref="IGroupPlanner"/>, <see cref="GroupRound"/>) → rollouts
/// (<see cref="RolloutSampler"/>, <see cref="RolloutBatch"/>) → rewards (<see cref="RewardStage"/>, scored on worker
/// threads while sampling goes on) → advantages (<see cref="IAdvantageEstimator"/>, <see cref="EpochAdvantages"/>)
/// → objective and update (<see cref="PolicyUpdater"/> over <see cref="TrainingBatch"/>es). A planner with several
/// rounds sees each round's rewards before planning the next; the per-prompt success trackers take the epoch's
/// rewards after the advantages are computed (so a tracker baseline never sees its own epoch).
/// </summary>
public sealed class RlEpoch(IGroupPlanner planner, RolloutSampler sampler, RewardStage rewards, IAdvantageEstimator estimator,
    PolicyUpdater updater, PromptSuccessTrackers trackers, int seed, bool variableGroupSizes, double noiseLevel)
{
    /// <summary>Runs epoch <paramref name="epoch"/> (0-based); <paramref name="clock"/> gives the run's training time.</summary>
    public EpochResult Run(int epoch, PromptDraw prompts, TrainingClock clock)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(clock);
        var sampleClock = Stopwatch.StartNew();
        var batches = new List<RolloutBatch>();
        var pending = new List<PendingRewards>();
        try
        {
            var groups = Sample(epoch, prompts, batches, pending);
            var samplingSeconds = sampleClock.Elapsed.TotalSeconds;
            var waitClock = Stopwatch.StartNew();
            List<RewardBatch> scored;
            List<double[]>? values;
            using (StageTimes.Measure(StageTimes.RewardWait))
            {
                scored = pending.Select(p => p.Final.GetAwaiter().GetResult()).ToList();
                values = pending.All(p => p.Values is not null) ? pending.SelectMany(p => p.Values!.GetAwaiter().GetResult()).ToList() : null;
            }
            var waitSeconds = waitClock.Elapsed.TotalSeconds;
            var allRewards = scored.SelectMany(r => r.Scores).ToList();
            var allGroups = batches.SelectMany(b => b.Groups).ToList();
            var advantages = estimator.Estimate(new AdvantageInput(allRewards, allGroups, values, batches[0].Times, variableGroupSizes,
                [.. groups.Select(g => g.Text)], noiseLevel));
            foreach (var group in allGroups.Select((g, i) => (g, i)).GroupBy(x => x.g))
            {
                trackers.Update(groups[group.Key].Text, group.Select(x => allRewards[x.i]));
            }
            var training = Slice(batches, advantages);
            var trainClock = Stopwatch.StartNew();
            var shuffle = new Random(Seeds.Derive31(seed, RandomStreams.RlUpdateShuffle, epoch));
            var updates = updater.Run(epoch, training, shuffle);
            var total = sampleClock.Elapsed.TotalSeconds;
            var components = scored.SelectMany(r => r.Components).GroupBy(c => c.Key)
                .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Value).Average());
            var sizes = allGroups.GroupBy(g => g).Select(g => g.Count()).ToList();
            var metrics = new EpochMetrics(epoch + 1, allRewards.Average(), GroupAdvantages.Std(allRewards), components, advantages.ZeroStdRatio,
                groups.Count, (int)Math.Round(sizes.Average()), advantages.TrainedCount, allRewards.Count / total, samplingSeconds, waitSeconds,
                trainClock.Elapsed.TotalSeconds, clock.Seconds, updater.FirstUpdateMaxRatioDeviation, allRewards.Count,
                TagMeans(groups, batches, scored), TagImages(groups, training));
            return new EpochResult(metrics, updates);
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
        }
    }

    /// <summary>Samples the planner's rounds, starting each batch's scoring as it is sampled; returns the epoch's groups.</summary>
    private IReadOnlyList<PromptItem> Sample(int epoch, PromptDraw prompts, List<RolloutBatch> batches, List<PendingRewards> pending)
    {
        var round = planner.Begin(epoch, prompts);
        while (true)
        {
            var first = batches.Count;
            foreach (var sampled in sampler.Sample(round))
            {
                batches.Add(sampled.Batch);
                pending.Add(rewards.Start(sampled));
            }
            var finished = round;
            var next = planner.Next(finished, () => RewardsByGroup(batches, pending, first, finished.Groups.Count));
            if (next is null)
            {
                return finished.Groups;
            }
            round = next;
        }
    }

    /// <summary>Rewards of the batches from <paramref name="first"/> on, per group id (waits for them).</summary>
    private static IReadOnlyList<IReadOnlyList<double>> RewardsByGroup(List<RolloutBatch> batches, List<PendingRewards> pending, int first, int groups)
    {
        var result = Enumerable.Range(0, groups).Select(_ => new List<double>()).ToList();
        for (var b = first; b < batches.Count; b++)
        {
            var scores = pending[b].Final.GetAwaiter().GetResult().Scores;
            for (var i = 0; i < scores.Length; i++)
            {
                result[batches[b].Groups[i]].Add(scores[i]);
            }
        }
        return result;
    }

    /// <summary>The epoch's advantages cut into one training batch per rollout batch.</summary>
    private static List<TrainingBatch> Slice(List<RolloutBatch> batches, EpochAdvantages advantages)
    {
        var result = new List<TrainingBatch>();
        var offset = 0;
        foreach (var b in batches)
        {
            var n = b.Count;
            result.Add(new TrainingBatch(b, advantages.Values[offset..(offset + n)], advantages.Trained[offset..(offset + n)],
                advantages.Steps?[offset..(offset + n)]));
            offset += n;
        }
        return result;
    }

    private static string TagOf(PromptItem prompt) => prompt.Tag ?? "untagged";

    /// <summary>Mean of each reward component (and the total, "reward") per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, Dictionary<string, double>> TagMeans(IReadOnlyList<PromptItem> groups, List<RolloutBatch> batches, List<RewardBatch> rewards)
    {
        var samples = batches.Zip(rewards).SelectMany(p => p.First.Groups.Select((g, i) => (Tag: TagOf(groups[g]),
            Values: p.Second.Components.Select(c => (c.Key, c.Value[i])).Append(("reward", p.Second.Scores[i])))));
        return samples.GroupBy(s => s.Tag).ToDictionary(g => g.Key,
            g => g.SelectMany(s => s.Values).GroupBy(v => v.Item1).ToDictionary(v => v.Key, v => v.Average(x => x.Item2)));
    }

    /// <summary>Images sampled and trained on (not in a zero-variance group) per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, TagImageCounts> TagImages(IReadOnlyList<PromptItem> groups, List<TrainingBatch> batches) =>
        batches.SelectMany(b => b.Rollouts.Groups.Select((g, i) => (Tag: TagOf(groups[g]), Trained: b.Trained[i])))
            .GroupBy(x => x.Tag).ToDictionary(g => g.Key, g => new TagImageCounts(g.Count(), g.Count(x => x.Trained)));
}
