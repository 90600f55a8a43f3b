using System.Diagnostics;
using FlowTune.Common;
using FlowTune.Distributed;
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
/// <para>
/// Data-parallel (<paramref name="parallel"/> of several ranks): every rank plans the same groups; rank r samples and
/// scores the round's rollout batches r, r + W, r + 2W, ... (a batch's noise depends on its position only); the rewards
/// are all-gathered, so advantages, trackers and metrics are computed from the whole epoch identically on every rank;
/// the updater sums the ranks' gradients (<see cref="PolicyUpdater"/>). Planners with several rounds and step-level
/// values are not distributed yet and are refused.
/// </para>
/// </summary>
public sealed class RlEpoch(IGroupPlanner planner, RolloutSampler sampler, RewardStage rewards, IAdvantageEstimator estimator,
    PolicyUpdater updater, PromptSuccessTrackers trackers, int seed, bool variableGroupSizes, double noiseLevel, DataParallel? parallel = null)
{
    private readonly DataParallel _parallel = parallel ?? DataParallel.Single;

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
            var (groups, rounds) = Sample(epoch, prompts, batches, pending);
            var samplingSeconds = sampleClock.Elapsed.TotalSeconds;
            var waitClock = Stopwatch.StartNew();
            List<RewardBatch> local;
            List<double[]>? values;
            using (StageTimes.Measure(StageTimes.RewardWait))
            {
                local = pending.Select(p => p.Final.GetAwaiter().GetResult()).ToList();
                values = pending.All(p => p.Values is not null) ? pending.SelectMany(p => p.Values!.GetAwaiter().GetResult()).ToList() : null;
            }
            var waitSeconds = waitClock.Elapsed.TotalSeconds;
            // the epoch's rollout batches in global order (rank k % W sampled batch k), with every rank's rewards
            var layout = Layout(rounds);
            var scored = GatherRewards(layout, local);
            var allRewards = scored.SelectMany(r => r.Scores).ToList();
            var allGroups = layout.SelectMany(ids => ids).ToList();
            var advantages = estimator.Estimate(new AdvantageInput(allRewards, allGroups, values, batches[0].Times, variableGroupSizes,
                [.. groups.Select(g => g.Text)], noiseLevel));
            foreach (var group in allGroups.Select((g, i) => (g, i)).GroupBy(x => x.g))
            {
                trackers.Update(groups[group.Key].Text, group.Select(x => allRewards[x.i]));
            }
            var training = Slice(layout, batches, advantages);
            var anyTrained = layout.Select((ids, k) => advantages.Trained.Skip(Offset(layout, k)).Take(ids.Length).Any(t => t)).ToList();
            var trainClock = Stopwatch.StartNew();
            var shuffle = new Random(Seeds.Derive31(seed, RandomStreams.RlUpdateShuffle, epoch));
            var updates = updater.Run(epoch, training, anyTrained, shuffle, _parallel);
            var total = sampleClock.Elapsed.TotalSeconds;
            var components = scored.SelectMany(r => r.Components).GroupBy(c => c.Key)
                .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Value).Average());
            var sizes = allGroups.GroupBy(g => g).Select(g => g.Count()).ToList();
            var metrics = new EpochMetrics(epoch + 1, allRewards.Average(), GroupAdvantages.Std(allRewards), components, advantages.ZeroStdRatio,
                groups.Count, (int)Math.Round(sizes.Average()), advantages.TrainedCount, allRewards.Count / total, samplingSeconds, waitSeconds,
                trainClock.Elapsed.TotalSeconds, clock.Seconds, updater.FirstUpdateMaxRatioDeviation, allRewards.Count,
                TagMeans(groups, layout, scored), TagImages(groups, layout, advantages.Trained));
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

    /// <summary>
    /// Samples the planner's rounds (this rank's batches of each), starting each batch's scoring as it is sampled;
    /// returns the epoch's groups and its rounds.
    /// </summary>
    private (IReadOnlyList<PromptItem> Groups, List<GroupRound> Rounds) Sample(int epoch, PromptDraw prompts, List<RolloutBatch> batches, List<PendingRewards> pending)
    {
        var round = planner.Begin(epoch, prompts);
        var rounds = new List<GroupRound>();
        while (true)
        {
            rounds.Add(round);
            var first = batches.Count;
            var batchCount = (round.Slots.Count + sampler.BatchSize - 1) / sampler.BatchSize;
            if (_parallel.Size > batchCount)
            {
                throw new InvalidOperationException(
                    $"the epoch has {batchCount} rollout batches ({round.Slots.Count} rollouts of {sampler.BatchSize}), fewer than the {_parallel.Size} ranks: raise num_groups_per_epoch or lower sample.batch_size");
            }
            foreach (var sampled in sampler.Sample(round, k => k % _parallel.Size == _parallel.Rank))
            {
                batches.Add(sampled.Batch);
                pending.Add(rewards.Start(sampled));
            }
            var finished = round;
            var next = planner.Next(finished, () => _parallel.Size == 1
                ? RewardsByGroup(batches, pending, first, finished.Groups.Count)
                : throw new NotSupportedException("group planners with several rounds (variance-aware group sizes) do not run data-parallel yet; use one process"));
            if (next is null)
            {
                if (_parallel.Size > 1 && pending.Any(p => p.Values is not null))
                {
                    throw new NotSupportedException("step-level values do not run data-parallel yet; use one process");
                }
                return (finished.Groups, rounds);
            }
            round = next;
        }
    }

    /// <summary>The group ids of the rounds' rollout batches, in sampling order (the epoch's global batch order).</summary>
    private List<int[]> Layout(List<GroupRound> rounds) =>
        [.. rounds.SelectMany(r => r.Slots.Chunk(sampler.BatchSize))];

    /// <summary>Index of batch <paramref name="k"/>'s first rollout in the epoch's global order.</summary>
    private static int Offset(List<int[]> layout, int k) => layout.Take(k).Sum(ids => ids.Length);

    /// <summary>
    /// Every batch's rewards in global order: this rank's own (<paramref name="local"/>, batches r, r + W, ...), the
    /// others' all-gathered as (score, components in key order) per rollout, padded to the longest rank's share.
    /// </summary>
    private List<RewardBatch> GatherRewards(List<int[]> layout, List<RewardBatch> local)
    {
        if (_parallel.Size == 1)
        {
            return local;
        }
        var (rank, size) = (_parallel.Rank, _parallel.Size);
        var keys = local[0].Components.Keys.Order(StringComparer.Ordinal).ToList();
        var width = 1 + keys.Count;
        var owned = Enumerable.Range(0, size).Select(r => Enumerable.Range(0, layout.Count).Where(k => k % size == r).ToList()).ToList();
        var longest = owned.Max(ks => ks.Sum(k => layout[k].Length)) * width;
        var mine = new double[longest];
        var cursor = 0;
        foreach (var batch in local)
        {
            for (var i = 0; i < batch.Scores.Length; i++)
            {
                mine[cursor++] = batch.Scores[i];
                foreach (var key in keys)
                {
                    mine[cursor++] = batch.Components[key][i];
                }
            }
        }
        var all = _parallel.AllGather(mine, "reward all-gather");
        var result = new RewardBatch[layout.Count];
        for (var r = 0; r < size; r++)
        {
            cursor = r * longest;
            foreach (var k in owned[r])
            {
                var n = layout[k].Length;
                var scores = new double[n];
                var parts = keys.ToDictionary(key => key, _ => new double[n]);
                for (var i = 0; i < n; i++)
                {
                    scores[i] = all[cursor++];
                    foreach (var key in keys)
                    {
                        parts[key][i] = all[cursor++];
                    }
                }
                result[k] = new RewardBatch(scores, parts);
            }
        }
        return [.. result];
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

    /// <summary>The epoch's advantages cut into one training batch per rollout batch, in global order; null for other ranks' batches.</summary>
    private List<TrainingBatch?> Slice(List<int[]> layout, List<RolloutBatch> batches, EpochAdvantages advantages)
    {
        var result = new List<TrainingBatch?>();
        var offset = 0;
        var mine = 0;
        for (var k = 0; k < layout.Count; k++)
        {
            var n = layout[k].Length;
            if (k % _parallel.Size == _parallel.Rank)
            {
                var b = batches[mine++];
                result.Add(new TrainingBatch(b, advantages.Values[offset..(offset + n)], advantages.Trained[offset..(offset + n)],
                    advantages.Steps?[offset..(offset + n)]));
            }
            else
            {
                result.Add(null);
            }
            offset += n;
        }
        return result;
    }

    private static string TagOf(PromptItem prompt) => prompt.Tag ?? "untagged";

    /// <summary>Mean of each reward component (and the total, "reward") per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, Dictionary<string, double>> TagMeans(IReadOnlyList<PromptItem> groups, List<int[]> layout, List<RewardBatch> rewards)
    {
        var samples = layout.Zip(rewards).SelectMany(p => p.First.Select((g, i) => (Tag: TagOf(groups[g]),
            Values: p.Second.Components.Select(c => (c.Key, c.Value[i])).Append(("reward", p.Second.Scores[i])))));
        return samples.GroupBy(s => s.Tag).ToDictionary(g => g.Key,
            g => g.SelectMany(s => s.Values).GroupBy(v => v.Item1).ToDictionary(v => v.Key, v => v.Average(x => x.Item2)));
    }

    /// <summary>Images sampled and trained on (not in a zero-variance group) per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, TagImageCounts> TagImages(IReadOnlyList<PromptItem> groups, List<int[]> layout, bool[] trained) =>
        layout.SelectMany(ids => ids).Select((g, i) => (Tag: TagOf(groups[g]), Trained: trained[i]))
            .GroupBy(x => x.Tag).ToDictionary(g => g.Key, g => new TagImageCounts(g.Count(), g.Count(x => x.Trained)));
}
