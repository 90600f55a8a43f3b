using System.Diagnostics;
using System.Globalization;
using FlowTune.Common;
using FlowTune.Evaluation;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Nn;
using FlowTune.Rewards;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>
/// Flow-GRPO (docs/ALGORITHMS.md §4–5). Per epoch: P prompts × K SDE rollouts (rewards scored on a worker thread while
/// sampling continues), group-relative advantages, then <c>updates_per_epoch</c> PPO-clip updates with a KL anchor.
/// Every epoch's prompts, noise and shuffles derive from (seed, epoch), and checkpoints hold weights, EMA and
/// optimizer state, so <c>--resume</c> continues bit-identically.
/// </summary>
public sealed class GrpoTrainer
{
    private const long ShuffleStream = 13;
    private readonly GrpoConfig _config;
    private readonly string _runDirectory;
    private readonly TextWriter _log;
    private readonly EvalCache? _evalCache;

    /// <summary>
    /// Creates the trainer (nothing runs until <see cref="Run"/>); evaluations of weights found in
    /// <paramref name="evalCache"/> (e.g. the shared base of a comparison's runs) are copied, not recomputed.
    /// </summary>
    public GrpoTrainer(GrpoConfig config, string runDirectory, TextWriter log, EvalCache? evalCache = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validation.ThrowIfAny(config.Validate(), "GRPO config");
        _config = config;
        _runDirectory = runDirectory;
        _log = log;
        _evalCache = evalCache;
    }

    /// <summary>Metrics of every epoch run by this process, in order (the whole run: <see cref="RunLog.Read"/>).</summary>
    public List<EpochMetrics> Epochs { get; } = [];

    /// <summary>Evaluations (epoch, report) made by this process, in order.</summary>
    public List<(int Epoch, EvalReport Report)> Evaluations { get; } = [];

    /// <summary>Trains; returns the number of completed epochs.</summary>
    public int Run(bool resume, CancellationToken cancel)
    {
        Directory.CreateDirectory(_runDirectory);
        File.WriteAllText(Path.Combine(_runDirectory, "config.yaml"), GrpoConfigLoader.ToYaml(_config));
        var world = WorldRegistry.Get(_config.Pretrained.World);
        var (train, test) = LoadPrompts(world);
        using var policy = new GrpoPolicy(_config.Pretrained.Model, _config);
        using var optimizer = new AdamW(policy.Trainable, new AdamWOptions
        {
            LearningRate = _config.Train.LearningRate,
            Beta1 = _config.Train.AdamBeta1,
            Beta2 = _config.Train.AdamBeta2,
            Epsilon = _config.Train.AdamEpsilon,
            WeightDecay = _config.Train.AdamWeightDecay,
        });
        var updater = new GrpoUpdater(_config, policy, optimizer);
        var scorer = new AsyncRewardScorer(RewardRegistry.Create(_config.Reward, world));
        var store = new CheckpointStore(_runDirectory, _config.NumCheckpointLimit);
        var tracker = new SuperFlow.PromptRewardTracker();
        var checkpoints = new GrpoCheckpoint(_config, policy, optimizer, updater, tracker);
        var sampler = new EpochSampler(_config, policy, scorer, tracker);
        var epoch = 0;
        var elapsedBefore = 0.0;
        if (resume && store.Latest() is { } latest)
        {
            epoch = checkpoints.Restore(latest.Path);
            elapsedBefore = RunLog.Read(_runDirectory, epoch).ElapsedAfter(epoch);
            _log.WriteLine($"resumed from {latest.Path} (epoch {epoch})");
        }
        var paramCount = policy.Trainable.Sum(p => p.Value.NumElements);
        var objective = _config.Train.Objective == ObjectiveKind.Nft ? "NFT" : "Flow-GRPO";
        var rollouts = _config.Sample.NoiseLevel > 0 ? $"{_config.Sample.NumSteps} SDE steps (noise {_config.Sample.NoiseLevel})" : $"{_config.Sample.NumSteps} ODE steps";
        _log.WriteLine(Invariant($"{objective}: {paramCount:N0} trainable parameters ({(policy.UseLora ? "LoRA" : "full fine-tuning")}), {GroupsText()}, {rollouts}, {TorchRuntime.NumThreads} threads → {_runDirectory}"));
        using var metrics = new JsonlWriter(Path.Combine(_runDirectory, "metrics.jsonl"));
        var judge = world.Judge();
        if (epoch == 0 && !cancel.IsCancellationRequested)
        {
            Evaluate(policy, test, judge, 0, metrics);
        }
        var prompts = new EpochPrompts(train, _config.Prompts.BalanceTags, _config.Prompts.WeightsByTag());
        // training time (sampling, reward, updates, checkpoints), carried over a resume; evaluations are not counted
        var clock = new TrainingClock(elapsedBefore);
        while (epoch < _config.NumEpochs && !cancel.IsCancellationRequested)
        {
            var epochMetrics = RunEpoch(epoch, train, prompts, updater, sampler, metrics, clock);
            metrics.Write(epochMetrics);
            Epochs.Add(epochMetrics);
            epoch++;
            _log.WriteLine(Invariant($"epoch {epoch}/{_config.NumEpochs}  reward {epochMetrics.RewardMean:F3} ± {epochMetrics.RewardStd:F3}  zero-std {epochMetrics.ZeroStdRatio:P0}  {epochMetrics.ImagesPerSecond:F1} img/s  (sample {epochMetrics.SamplingSeconds:F1} s, reward wait {epochMetrics.RewardWaitSeconds:F1} s, train {epochMetrics.TrainingSeconds:F1} s)  first-update |ratio−1| {epochMetrics.FirstUpdateMaxRatioDeviation:E1}"));
            if (epoch % _config.SaveFreq == 0 || epoch == _config.NumEpochs || cancel.IsCancellationRequested)
            {
                var path = store.Save(epoch, dir => checkpoints.Save(dir, epoch));
                _log.WriteLine($"  checkpoint {path}");
            }
            if ((_config.EvalFreq > 0 && epoch % _config.EvalFreq == 0) || epoch == _config.NumEpochs)
            {
                clock.Pause();
                Evaluate(policy, test, judge, epoch, metrics);
                clock.Resume();
            }
        }
        ModelCheckpoint.Save(Path.Combine(_runDirectory, "final"), policy.ForEvaluation);
        return epoch;
    }

    private EpochMetrics RunEpoch(int epoch, IReadOnlyList<GenEvalEntry> train, EpochPrompts prompts, GrpoUpdater updater,
        EpochSampler sampler, JsonlWriter metrics, TrainingClock clock)
    {
        var sampleClock = Stopwatch.StartNew();
        var (groups, batches) = sampler.Collect(epoch, train, prompts);
        var samplingSeconds = sampleClock.Elapsed.TotalSeconds;
        try
        {
            var waitClock = Stopwatch.StartNew();
            var rewards = batches.Select(b => b.Rewards.GetAwaiter().GetResult()).ToList();
            var values = batches.Select(b => b.Values?.GetAwaiter().GetResult()).ToList();
            var waitSeconds = waitClock.Elapsed.TotalSeconds;
            var trained = AssignAdvantages(batches, rewards, values);
            var trainClock = Stopwatch.StartNew();
            var shuffle = new Random(Seeds.Derive31(_config.Seed, ShuffleStream, epoch));
            foreach (var update in updater.Run(epoch, batches, shuffle))
            {
                metrics.Write(update);
            }
            var allRewards = rewards.SelectMany(r => r.Scores).ToList();
            var components = rewards.SelectMany(r => r.Components).GroupBy(c => c.Key)
                .ToDictionary(g => g.Key, g => g.SelectMany(c => c.Value).Average());
            var byTag = TagMeans(groups, batches, rewards);
            var sizes = batches.SelectMany(b => b.Groups).GroupBy(g => g).Select(g => g.Count()).ToList();
            var zeroStd = batches.SelectMany(b => b.Groups.Select((g, i) => (g, Zero: !b.Trained[i]))).Distinct().Count(x => x.Zero) / (double)groups.Count;
            var total = sampleClock.Elapsed.TotalSeconds;
            return new EpochMetrics(epoch + 1, allRewards.Average(), GroupAdvantages.Std(allRewards), components, zeroStd,
                groups.Count, (int)Math.Round(sizes.Average()), trained, allRewards.Count / total, samplingSeconds, waitSeconds,
                trainClock.Elapsed.TotalSeconds, clock.Seconds, updater.FirstUpdateMaxRatioDeviation, allRewards.Count, byTag, TagImages(groups, batches));
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
        }
    }

    /// <summary>Mean of each reward component (and the total, "reward") per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, Dictionary<string, double>> TagMeans(List<GenEvalEntry> groups, List<RolloutBatch> batches, List<RewardBatch> rewards)
    {
        var samples = batches.Zip(rewards).SelectMany(p => p.First.Groups.Select((g, i) => (Tag: GenEvalTags.Name(groups[g].Tag),
            Values: p.Second.Components.Select(c => (c.Key, c.Value[i])).Append(("reward", p.Second.Scores[i])))));
        return samples.GroupBy(s => s.Tag).ToDictionary(g => g.Key,
            g => g.SelectMany(s => s.Values).GroupBy(v => v.Item1).ToDictionary(v => v.Key, v => v.Average(x => x.Item2)));
    }

    /// <summary>Images sampled and trained on (not in a zero-variance group) per prompt tag of the epoch's rollouts.</summary>
    private static Dictionary<string, TagImageCounts> TagImages(List<GenEvalEntry> groups, List<RolloutBatch> batches) =>
        batches.SelectMany(b => b.Groups.Select((g, i) => (Tag: GenEvalTags.Name(groups[g].Tag), Trained: b.Trained[i])))
            .GroupBy(x => x.Tag).ToDictionary(g => g.Key, g => new TagImageCounts(g.Count(), g.Count(x => x.Trained)));

    /// <summary>Sets every batch's advantages (trajectory, and per step when enabled); returns the number of trained samples.</summary>
    private int AssignAdvantages(List<RolloutBatch> batches, List<RewardBatch> rewards, List<double[][]?> values)
    {
        var allRewards = rewards.SelectMany(r => r.Scores).ToList();
        var groups = batches.SelectMany(b => b.Groups).ToList();
        var sf = _config.Superflow;
        var advantages = GroupAdvantages.Compute(allRewards, groups, _config.Sample.GlobalStd, 1e-4, _config.Train.AdvClipMax,
            smallGroupCorrection: sf.AdaptiveGroups);
        double[][]? steps = null;
        if (sf.StepAdvantages)
        {
            var allValues = values.SelectMany(v => v!).ToList();
            var grid = batches[0].Trajectory.Times;
            steps = SuperFlow.StepAdvantages.Compute(allValues, groups, grid, GroupAdvantages.Std(allRewards) + 1e-4, advantages.Values,
                sf.StepWeight, _config.Train.AdvClipMax);
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
        return advantages.ZeroVarianceGroup.Count(z => !z);
    }

    private void Evaluate(GrpoPolicy policy, IReadOnlyList<GenEvalEntry> test, IImageJudge judge, int epoch, JsonlWriter metrics)
    {
        var options = new EvalOptions
        {
            Steps = _config.Sample.EvalNumSteps,
            GuidanceScale = _config.Sample.EvalGuidanceScale,
            Shift = _config.Sample.Shift,
            SamplesPerPrompt = _config.Sample.EvalSamplesPerPrompt,
            MinImagesPerTag = _config.Sample.EvalMinImagesPerTag,
        };
        var output = Path.Combine(_runDirectory, "eval", $"epoch_{epoch:D4}");
        var cached = false;
        var report = _evalCache is null
            ? Evaluator.Run(policy.ForEvaluation, test, judge, options, output)
            : _evalCache.Run(policy.ForEvaluation, test, judge, options, output, out cached);
        Evaluations.Add((epoch, report));
        _log.WriteLine($"  evaluation after epoch {epoch} ({(policy.EmaModel is null ? "policy" : "EMA")} weights, {options.Steps} ODE steps{(cached ? ", the same weights evaluated before: copied from " + _evalCache!.Directory : "")}):");
        _log.WriteLine(string.Join(Environment.NewLine, report.Format().Split(Environment.NewLine).Select(l => "    " + l)));
        metrics.Write(new EvalMetrics(epoch, report.Overall, report.MeanReward, report.Diversity, report.Tags.ToDictionary(t => t.Tag, t => t.Accuracy)));
    }

    private (IReadOnlyList<GenEvalEntry> Train, IReadOnlyList<GenEvalEntry> Test) LoadPrompts(IWorld world)
    {
        var (train, test) = world.DefaultPrompts();
        return (_config.Prompts.Train is { } tr ? GenEvalMetadata.ParseFile(tr) : train,
                _config.Prompts.Test is { } te ? GenEvalMetadata.ParseFile(te) : test);
    }

    /// <summary>How an epoch's images are spread over prompts, for the start-of-run line.</summary>
    private string GroupsText()
    {
        var sf = _config.Superflow;
        var images = _config.ImagesPerEpoch();
        return sf.AdaptiveGroups
            ? Invariant($"{images} images per epoch in variance-aware groups of {sf.MinGroupSize}–{sf.MaxGroupSize} (first round {sf.FirstRoundSize}{(sf.StratifyTags ? ", tag shares kept" : "")})")
            : Invariant($"{_config.Sample.NumGroupsPerEpoch} prompts × {_config.Sample.NumImagePerPrompt} images per epoch");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
