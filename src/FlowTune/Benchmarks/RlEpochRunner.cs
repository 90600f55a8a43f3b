using System.Diagnostics;
using FlowTune.Common;
using FlowTune.Nn;
using FlowTune.Rewards;
using FlowTune.Rl;
using FlowTune.Rl.SuperFlow;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Benchmarks;

/// <summary>
/// Runs the training epochs of an RL config the way <see cref="GrpoTrainer"/> does (rollouts with rewards scored on
/// a worker thread, advantages, the updates with optimizer and EMA), without evaluations, checkpoints or metrics
/// files, and times each epoch with its <see cref="StageTimes"/> breakdown.
/// </summary>
public sealed class RlEpochRunner : IDisposable
{
    private const long ShuffleStream = 13; // GrpoTrainer's shuffle stream: the same updates as a real run's epoch
    private readonly GrpoConfig _config;
    private readonly IReadOnlyList<GenEvalEntry> _train;
    private readonly GrpoPolicy _policy;
    private readonly AdamW _optimizer;
    private readonly GrpoUpdater _updater;
    private readonly EpochSampler _sampler;
    private readonly EpochPrompts _prompts;

    /// <summary>Loads the config's base model and builds the epoch's parts (as the trainer does).</summary>
    public RlEpochRunner(GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validation.ThrowIfAny(config.Validate(), "GRPO config");
        _config = config;
        var world = WorldRegistry.Get(config.Pretrained.World);
        _train = config.Prompts.Train is { } file ? GenEvalMetadata.ParseFile(file) : world.DefaultPrompts().Train;
        _policy = new GrpoPolicy(config.Pretrained.Model, config);
        _optimizer = new AdamW(_policy.Trainable, new AdamWOptions
        {
            LearningRate = config.Train.LearningRate,
            Beta1 = config.Train.AdamBeta1,
            Beta2 = config.Train.AdamBeta2,
            Epsilon = config.Train.AdamEpsilon,
            WeightDecay = config.Train.AdamWeightDecay,
        });
        _updater = new GrpoUpdater(config, _policy, _optimizer);
        var scorer = new AsyncRewardScorer(RewardRegistry.Create(config.Reward, world));
        _sampler = new EpochSampler(config, _policy, scorer, new PromptRewardTracker());
        _prompts = new EpochPrompts(_train, config.Prompts.BalanceTags, config.Prompts.WeightsByTag());
    }

    /// <summary>Runs epoch <paramref name="epoch"/> (0-based) and returns its wall time and stage times.</summary>
    public RlEpochTiming Run(int epoch, int threads)
    {
        var wasEnabled = StageTimes.Enabled;
        StageTimes.Reset();
        StageTimes.Enabled = true;
        var clock = Stopwatch.StartNew();
        var (_, batches) = _sampler.Collect(epoch, _train, _prompts);
        var sampling = clock.Elapsed.TotalSeconds;
        int images;
        double rewardMean;
        try
        {
            List<RewardBatch> rewards;
            List<double[][]?> values;
            using (StageTimes.Measure(StageTimes.RewardWait))
            {
                rewards = batches.Select(b => b.Rewards.GetAwaiter().GetResult()).ToList();
                values = batches.Select(b => b.Values?.GetAwaiter().GetResult()).ToList();
            }
            AssignAdvantages(batches, rewards, values);
            images = rewards.Sum(r => r.Scores.Length);
            rewardMean = rewards.SelectMany(r => r.Scores).Average();
            _updater.Run(epoch, batches, new Random(Seeds.Derive31(_config.Seed, ShuffleStream, epoch)));
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
            StageTimes.Enabled = wasEnabled;
        }
        var total = clock.Elapsed.TotalSeconds;
        var stages = StageTimes.Snapshot().ToDictionary(kv => kv.Key, kv => kv.Value.Seconds, StringComparer.Ordinal);
        return new RlEpochTiming(epoch, threads, images, rewardMean, total, sampling, stages);
    }

    /// <summary>The trainer's advantage assignment (group-relative; step-level when SuperFlow asks for it).</summary>
    private void AssignAdvantages(List<RolloutBatch> batches, List<RewardBatch> rewards, List<double[][]?> values)
    {
        var allRewards = rewards.SelectMany(r => r.Scores).ToList();
        var groups = batches.SelectMany(b => b.Groups).ToList();
        var sf = _config.Superflow;
        var advantages = GroupAdvantages.Compute(allRewards, groups, _config.Sample.GlobalStd, 1e-4, _config.Train.AdvClipMax,
            smallGroupCorrection: sf.AdaptiveGroups);
        double[][]? steps = null;
        if (sf.StepAdvantages)
        {
            steps = StepAdvantages.Compute(values.SelectMany(v => v!).ToList(), groups, batches[0].Trajectory.Times,
                GroupAdvantages.Std(allRewards) + 1e-4, advantages.Values, sf.StepWeight, _config.Train.AdvClipMax);
        }
        var offset = 0;
        foreach (var b in batches)
        {
            var n = (int)b.Trajectory.Count;
            b.Advantages = advantages.Values.Skip(offset).Take(n).ToArray();
            b.Trained = advantages.ZeroVarianceGroup.Skip(offset).Take(n).Select(z => !z).ToArray();
            b.StepAdvantages = steps?.Skip(offset).Take(n).ToArray();
            offset += n;
        }
    }

    /// <summary>Frees the models and optimizer state.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _policy.Dispose();
    }
}

/// <summary>One timed epoch.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="Threads">libtorch intra-op threads it ran with.</param>
/// <param name="Images">Images sampled (and scored).</param>
/// <param name="RewardMean">Mean reward of the epoch's images (the trainer's <c>reward</c> metric of that epoch).</param>
/// <param name="Seconds">Wall time of the whole epoch.</param>
/// <param name="SamplingSeconds">Wall time of the rollouts (until the last batch was sampled).</param>
/// <param name="Stages">Seconds per <see cref="StageTimes"/> stage.</param>
public sealed record RlEpochTiming(int Epoch, int Threads, int Images, double RewardMean, double Seconds, double SamplingSeconds, IReadOnlyDictionary<string, double> Stages)
{
    /// <summary>Images per second of wall time.</summary>
    public double ImagesPerSecond => Images / Seconds;

    /// <summary>Seconds of a stage (0 when it did not run).</summary>
    public double Stage(string name) => Stages.TryGetValue(name, out var s) ? s : 0;
}
