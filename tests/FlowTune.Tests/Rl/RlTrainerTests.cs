using FlowTune.Imaging;
using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Rewards;
using FlowTune.Rl;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Config;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.SuperFlow;
using FlowTune.Rl.Update;
using FlowTune.Sampling;
using FlowTune.Tests.Models;
using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rl;

/// <summary>End-to-end tiny RL runs (a few seconds each) with a reward that varies between samples.</summary>
[Collection("Serial")]
public sealed class RlTrainerTests
{
    internal static readonly string BaseModel = CreateTinyBase();

    static RlTrainerTests() => RewardRegistry.Register("test_brightness", _ => new BrightnessReward());

    private static string CreateTinyBase()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"rl-base-{Guid.NewGuid():N}");
        using var generator = new Generator(5);
        var config = ModelPresets.Get("tiny-unet", 16);
        using var model = new FlowModel(config, new Tokenizer(ShapesImageTextSource.WorldVocabulary(), config.Text.MaxLength), generator);
        FlowModelTests.PerturbZeroInitWeights(model, generator);
        ModelCheckpoint.Save(dir, model);
        return dir;
    }

    internal static RlConfig Tiny(bool lora = false) => new()
    {
        Seed = 9,
        NumEpochs = 2,
        SaveFreq = 1,
        EvalFreq = 0,
        Pretrained = new PretrainedOptions { Model = BaseModel },
        Groups = new FixedGroupOptions { NumImagePerPrompt = 4, NumGroupsPerEpoch = 2 },
        Sample = new RolloutOptions { NumSteps = 4, BatchSize = 4 },
        Train = new UpdateOptions { UseLora = lora, LearningRate = 1e-3, EmaUpdateEvery = 1, LoraRank = 2, LoraTargets = ["q_proj", "v_proj"] },
        Eval = new RlEvalOptions { NumSteps = 2, SamplesPerPrompt = 1, MinImagesPerTag = 1 },
        Reward = new FlowTune.Rewards.RewardOptions { Weights = new() { ["test_brightness"] = 1.0 } },
    };

    /// <summary>
    /// The NFT objective on the tiny config: deterministic Heun rollouts, 2 of the 4 grid times, a KL anchor (so the
    /// reference is exercised) and a sampling policy that lags with decay <paramref name="samplingDecay"/> from the
    /// first step on (rate 1, capped there).
    /// </summary>
    internal static RlConfig TinyNft(bool lora = false, double samplingDecay = 0, double klWeight = 0.04) => Tiny(lora) with
    {
        Sample = Tiny(lora).Sample with { NoiseLevel = 0, Solver = OdeSolver.Heun },
        Objective = new NftOptions { TimestepFraction = 0.5, SamplingDecayRate = samplingDecay > 0 ? 1 : 0, SamplingDecayMax = samplingDecay, KlWeight = klWeight },
    };

    /// <summary>The AWM objective on the tiny config: the reference's SDE rollouts, 2 training rounds, a KL anchor.</summary>
    internal static RlConfig TinyAwm(bool lora = false) => Tiny(lora) with
    {
        Objective = new AwmOptions { TrainTimesteps = 2, KlWeight = 0.04 },
    };

    /// <summary>The tiny config of a likelihood-free objective by name (nft with <paramref name="samplingDecay"/>, or awm).</summary>
    private static RlConfig TinyLikelihoodFree(string objective, bool lora, double samplingDecay) =>
        objective == "awm" ? TinyAwm(lora) : TinyNft(lora, samplingDecay);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_BeExactlyOnPolicy_When_TakingTheFirstUpdateOfAnEpoch(bool lora)
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"rl-ratio-{Guid.NewGuid():N}");
        var trainer = new RlTrainer(Tiny(lora), dir, TextWriter.Null);

        // When
        trainer.Run(resume: false, CancellationToken.None);

        // Then
        Directory.Delete(dir, true);
        Assert.Equal(2, trainer.Epochs.Count);
        Assert.All(trainer.Epochs, e => Assert.True(e.FirstUpdateMaxRatioDeviation < 1e-6, $"|ratio − 1| = {e.FirstUpdateMaxRatioDeviation} on the first update"));
        Assert.All(trainer.Epochs, e => Assert.True(e.TrainedSamples > 0, "the reward must vary within groups"));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    public void Should_SpendTheBudgetAndStayOnPolicy_When_SuperFlowPartsAreOn(bool adaptive, bool steps, bool stratify)
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"rl-sf-{Guid.NewGuid():N}");
        var config = Tiny() with
        {
            Groups = adaptive
                ? new AdaptiveGroupOptions { NumImagePerPrompt = 4, NumGroupsPerEpoch = 2, StratifyTags = stratify, FirstRoundSize = 2, MinGroupSize = 2, MaxGroupSize = 6, Budget = 12 }
                : Tiny().Groups,
            Advantages = steps ? new StepAdvantageOptions() : new GroupAdvantageOptions(),
        };
        var trainer = new RlTrainer(config, dir, TextWriter.Null);

        // When
        trainer.Run(false, CancellationToken.None);

        // Then
        Directory.Delete(dir, true);
        var expectedImages = adaptive ? 12 : 8;
        Assert.All(trainer.Epochs, e => Assert.Equal(expectedImages, e.Images));
        Assert.All(trainer.Epochs, e => Assert.True(e.FirstUpdateMaxRatioDeviation < 1e-6));
        Assert.All(trainer.Epochs, e =>
        {
            Assert.Equal(e.Images, e.TagImages!.Values.Sum(c => c.Sampled));
            Assert.Equal(e.TrainedSamples, e.TagImages!.Values.Sum(c => c.Trained));
        });
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Should_TrainAndResumeBitIdentically_When_PublishedSuperFlowPartsAreOn(bool uncertainty, bool tracker, bool sigma)
    {
        // Given: each part of SuperFlow as published on its own, and all three (groups of 3–4 by uncertainty bin)
        var config = Tiny() with
        {
            Groups = uncertainty ? new UncertaintyGroupOptions { NumGroupsPerEpoch = 2, MaxGroupSize = 4, Bins = 2 } : Tiny().Groups,
            Advantages = tracker ? new TrackerAdvantageOptions { SigmaSteps = sigma } : new GroupAdvantageOptions { SigmaSteps = sigma },
        };
        var straight = Path.Combine(Path.GetTempPath(), $"sfp-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"sfp-b-{Guid.NewGuid():N}");

        // When
        var trainer = new RlTrainer(config, straight, TextWriter.Null);
        trainer.Run(false, CancellationToken.None);
        new RlTrainer(config with { NumEpochs = 1 }, resumed, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(config, resumed, TextWriter.Null).Run(true, CancellationToken.None);

        // Then: on-policy first updates; bins give one group of 4 and one of 3; the tracker baseline trains every
        // rollout; the trackers and weights resume bit-identically
        Assert.All(trainer.Epochs, e => Assert.True(e.FirstUpdateMaxRatioDeviation < 1e-6));
        Assert.All(trainer.Epochs, e => Assert.Equal(uncertainty ? 7 : 8, e.Images));
        if (tracker)
        {
            Assert.All(trainer.Epochs, e => Assert.Equal(e.Images, e.TrainedSamples));
        }
        CheckpointAssert.SameFiles(Path.Combine(straight, "checkpoint_000002"), Path.Combine(resumed, "checkpoint_000002"), "trainable.safetensors", "optimizer.safetensors");
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "checkpoint_000002", PromptSuccessTrackers.FileName)),
            File.ReadAllText(Path.Combine(resumed, "checkpoint_000002", PromptSuccessTrackers.FileName)));
        Directory.Delete(straight, true);
        Directory.Delete(resumed, true);
    }

    [Fact]
    public void Should_EndWithIdenticalWeights_When_KilledAndResumed()
    {
        // Given
        var straight = Path.Combine(Path.GetTempPath(), $"rl-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"rl-b-{Guid.NewGuid():N}");

        // When
        new RlTrainer(Tiny(), straight, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(Tiny() with { NumEpochs = 1 }, resumed, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(Tiny(), resumed, TextWriter.Null).Run(true, CancellationToken.None);

        // Then
        CheckpointAssert.SameFiles(Path.Combine(straight, "checkpoint_000002"), Path.Combine(resumed, "checkpoint_000002"), "trainable.safetensors", "ema.safetensors", "optimizer.safetensors");
        var log = RunLog.Read(resumed);
        Assert.Equal([1, 2], log.Epochs.Select(e => e.Epoch));
        Assert.True(log.ElapsedAfter(2) > log.ElapsedAfter(1), "training time carries over the resume");
        Assert.All(log.Epochs, e =>
        {
            Assert.NotEmpty(e.TagMeans!);
            Assert.Equal(e.TagMeans!.Keys.Order(), e.TagImages!.Keys.Order());
            Assert.Equal(e.Images, e.TagImages!.Values.Sum(c => c.Sampled));
            Assert.All(e.TagMeans!, t => Assert.True(FlowTune.Worlds.GenEvalTags.TryParse(t.Key, out _), t.Key));
            Assert.InRange(e.TagMeans!.Values.Min(m => m["reward"]), double.MinValue, e.RewardMean);
            Assert.InRange(e.TagMeans!.Values.Max(m => m["reward"]), e.RewardMean, double.MaxValue);
        });
        Directory.Delete(straight, true);
        Directory.Delete(resumed, true);
    }

    [Fact]
    public void Should_ReportEveryRun_When_AComparisonIsSplitOverShards()
    {
        // Given: two configs, two seeds, an 8-image budget (1 epoch of 2 × 4), run as two shards one after the other
        var dir = Path.Combine(Path.GetTempPath(), $"rl-cmp-{Guid.NewGuid():N}");
        var log = new StringWriter();
        var runner = new FlowTune.Rl.Comparison.ComparisonRunner(dir, log);
        var configs = new List<(string, RlConfig)> { ("a", Tiny()), ("b", Tiny() with { Train = Tiny().Train with { LearningRate = 3e-3 } }) };
        var plan = runner.Runs(configs, [1, 2], new FlowTune.Rl.Comparison.ComparisonLimits(Budget: 8, Minutes: null, EvalEveryEpochs: 1));

        // When
        runner.Train(plan, new FlowTune.Rl.Comparison.ComparisonRunner.Shard(1, 2), CancellationToken.None);
        var (half, missingHalf) = runner.Collect(plan);
        runner.Train(plan, FlowTune.Rl.Comparison.ComparisonRunner.Shard.Parse("0/2"), CancellationToken.None);
        var (all, missing) = runner.Collect(plan);
        var cached = Directory.GetDirectories(Path.Combine(dir, "eval-cache")).Length;

        // Then
        Directory.Delete(dir, true);
        // the shared base is evaluated once and copied three times; the four trained models each have their own entry
        Assert.Equal(5, cached);
        Assert.Equal(3, log.ToString().Split('\n').Count(l => l.Contains("evaluated before")));
        Assert.Equal([("b", 1), ("b", 2)], half.Select(r => (r.Config, r.Seed)));
        Assert.Equal(2, missingHalf.Count);
        Assert.Empty(missing);
        Assert.Equal([("a", 1), ("b", 1), ("a", 2), ("b", 2)], all.Select(r => (r.Config, r.Seed)));
        Assert.All(all, r => Assert.Equal([0, 1], r.Curve.Select(p => p.Epoch)));
        Assert.All(all, r => Assert.Equal([0L, 8L], r.Curve.Select(p => p.Images)));
        Assert.All(all, r => Assert.True(r.Curve[1].Seconds > 0));
        Assert.Equal(all[0].Curve[0].MeanReward, all[2].Curve[0].MeanReward); // the base is evaluated with the same noise in every run
    }

    [Fact]
    public void Should_StopAtTheTimeLimitAndEndWithAFullEvaluation_When_MaxTrainMinutesIsSet()
    {
        // Given: a tiny run with far more epochs than 1.2 s of training allows, quick evaluations every 0.3 s and full
        // ones every 0.6 s (and at the end)
        var dir = Path.Combine(Path.GetTempPath(), $"rl-time-{Guid.NewGuid():N}");
        var config = Tiny() with
        {
            NumEpochs = 10_000,
            EvalFreq = 0,
            MaxTrainMinutes = 0.02,
            Eval = Tiny().Eval with { EveryMinutes = 0.005, FullEveryMinutes = 0.01, FullSamplesPerPrompt = 2, FullMinImagesPerTag = 2 },
        };

        // When
        var trainer = new RlTrainer(config, dir, TextWriter.Null);
        var epochs = trainer.Run(false, CancellationToken.None);
        var again = new RlTrainer(config, dir, TextWriter.Null).Run(true, CancellationToken.None);
        var log = RunLog.Read(dir);
        Directory.Delete(dir, true);

        // Then: it stopped after the epoch that passed 1.2 s; the base (full), the crossings and the end were evaluated,
        // the last one full and final; resuming a finished run trains nothing more
        Assert.InRange(epochs, 1, 9_999);
        Assert.Equal(epochs, again);
        Assert.True(log.Epochs[^1].ElapsedSeconds >= 1.2, $"stopped at {log.Epochs[^1].ElapsedSeconds} s");
        Assert.True(log.Epochs.Count < 2 || log.Epochs[^2].ElapsedSeconds < 1.2, "the run must stop at the first epoch past the limit");
        Assert.True(log.Evaluations[0].Full && !log.Evaluations[0].Final);
        var last = log.Evaluations[^1];
        Assert.True(last.Final && last.Full && last.Epoch == epochs && last.Seconds >= 1.2);
        Assert.Single(log.Evaluations, e => e.Final);
        Assert.True(last.Images > log.Evaluations.Where(e => !e.Full).Select(e => e.Images).DefaultIfEmpty(0).Max());
        Assert.All(log.Evaluations.Skip(1).Where(e => !e.Final), e => Assert.True(Math.Floor(e.Seconds / 0.3) > Math.Floor(log.ElapsedAfter(e.Epoch - 1) / 0.3)));
    }

    [Theory]
    [InlineData("2/2")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void Should_RejectTheShard_When_ItIsNotKOfN(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => FlowTune.Rl.Comparison.ComparisonRunner.Shard.Parse(text));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_HaveZeroKl_When_PolicyEqualsReference()
    {
        // Given: with full fine-tuning the policy starts as an exact copy of the reference
        var dir = Path.Combine(Path.GetTempPath(), $"rl-kl-{Guid.NewGuid():N}");
        var trainer = new RlTrainer(Tiny() with { NumEpochs = 1 }, dir, TextWriter.Null);

        // When
        trainer.Run(false, CancellationToken.None);
        var firstUpdate = File.ReadLines(Path.Combine(dir, "metrics.jsonl")).First(l => l.Contains("\"kind\":\"update\"", StringComparison.Ordinal));

        // Then
        Directory.Delete(dir, true);
        AssertZeroKl(firstUpdate);
    }

    /// <summary>
    /// The update record's kl_loss is zero up to rounding: policy and reference run the same weights through separate
    /// forward passes, whose float sums may differ in the last bits on some CPUs (5e-16 on an AMD EPYC); a real
    /// difference is orders larger.
    /// </summary>
    private static void AssertZeroKl(string updateRecord)
    {
        using var record = System.Text.Json.JsonDocument.Parse(updateRecord);
        Assert.InRange(record.RootElement.GetProperty("kl_loss").GetDouble(), 0.0, 1e-10);
    }

    [Theory]
    [InlineData("nft", false, 0.0)]
    [InlineData("nft", true, 0.0)]
    [InlineData("nft", false, 0.5)]
    [InlineData("nft", true, 0.5)]
    [InlineData("awm", false, 0.0)]
    [InlineData("awm", true, 0.0)]
    public void Should_TrainAndResumeBitIdentically_When_ObjectiveIsLikelihoodFree(string objective, bool lora, double samplingDecay)
    {
        // Given
        var config = TinyLikelihoodFree(objective, lora, samplingDecay);
        var straight = Path.Combine(Path.GetTempPath(), $"nft-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"nft-b-{Guid.NewGuid():N}");
        var baseline = Finalizers.LiveTensors();

        // When
        var trainer = new RlTrainer(config, straight, TextWriter.Null);
        trainer.Run(false, CancellationToken.None);
        var afterRun = Finalizers.LiveTensors();
        new RlTrainer(config with { NumEpochs = 1 }, resumed, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(config, resumed, TextWriter.Null).Run(true, CancellationToken.None);
        var updates = File.ReadLines(Path.Combine(straight, "metrics.jsonl")).Where(l => l.Contains("\"kind\":\"update\"", StringComparison.Ordinal)).ToList();

        // Then
        Assert.Equal(baseline, afterRun);
        Assert.All(trainer.Epochs, e => Assert.True(e.TrainedSamples > 0));
        Assert.Equal(4, updates.Count);
        AssertZeroKl(updates[0]);                                                  // the policy starts as the reference
        Assert.DoesNotContain("NaN", string.Join("", updates), StringComparison.Ordinal);
        CheckpointAssert.SameFiles(Path.Combine(straight, "checkpoint_000002"), Path.Combine(resumed, "checkpoint_000002"), "trainable.safetensors", "ema.safetensors", "optimizer.safetensors", "sampling.safetensors");
        Directory.Delete(straight, true);
        Directory.Delete(resumed, true);
    }

    [Fact]
    public void Should_MoveTheSamplingPolicyPartWay_When_NftSamplingDecayIsSet()
    {
        // Given: one epoch of NFT with full fine-tuning, sampling decay 0.75
        var config = TinyNft(samplingDecay: 0.75) with { NumEpochs = 1 };
        var dir = Path.Combine(Path.GetTempPath(), $"nft-decay-{Guid.NewGuid():N}");

        // When
        new RlTrainer(config, dir, TextWriter.Null).Run(false, CancellationToken.None);

        // Then: θ_old = 0.75·θ_0 + 0.25·θ_1 for every trained parameter, and θ_1 ≠ θ_0
        var (sampling, _) = FlowTune.IO.TensorFile.Load(Path.Combine(dir, "checkpoint_000001", "sampling.safetensors"));
        var (trained, _) = FlowTune.IO.TensorFile.Load(Path.Combine(dir, "checkpoint_000001", "trainable.safetensors"));
        var (start, _) = FlowTune.IO.TensorFile.Load(Path.Combine(BaseModel, "model.safetensors"));
        var moved = 0;
        foreach (var (name, theta1) in trained)
        {
            var theta0 = start[name].ToFloatArray();
            var t1 = theta1.ToFloatArray();
            var old = sampling[name].ToFloatArray();
            for (var i = 0; i < t1.Length; i++)
            {
                Assert.Equal(0.75 * theta0[i] + 0.25 * t1[i], old[i], 1e-5);
                moved += t1[i] != theta0[i] ? 1 : 0;
            }
        }
        Assert.True(moved > 0, "the update must change the trained weights");
        foreach (var t in sampling.Values.Concat(trained.Values).Concat(start.Values))
        {
            t.Dispose();
        }
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("nft")]
    [InlineData("awm")]
    public void Should_RaiseTheReward_When_ALikelihoodFreeObjectiveTrainsOnBrightness(string objective)
    {
        // Given: a reward the tiny model can satisfy by shifting its output (mean brightness); one update per epoch,
        // as the references' GenEval configs (for NFT a second update against the same v_old is mostly pulled back to it)
        var dir = Path.Combine(Path.GetTempPath(), $"{objective}-learn-{Guid.NewGuid():N}");
        var tiny = TinyLikelihoodFree(objective, lora: false, samplingDecay: 0);
        var config = tiny with
        {
            NumEpochs = 8,
            SaveFreq = 100,
            Objective = objective == "awm" ? new AwmOptions { TrainTimesteps = 2 } : new NftOptions { TimestepFraction = 0.5 },
            Train = tiny.Train with { LearningRate = 3e-3, UpdatesPerEpoch = 1 },
        };
        var trainer = new RlTrainer(config, dir, TextWriter.Null);

        // When
        trainer.Run(false, CancellationToken.None);

        // Then
        Directory.Delete(dir, true);
        var first = trainer.Epochs.Take(2).Average(e => e.RewardMean);
        var last = trainer.Epochs.TakeLast(2).Average(e => e.RewardMean);
        Assert.True(last > first + 0.02, $"mean brightness went from {first:F4} to {last:F4}");
    }

    /// <summary>Mean pixel brightness: varies from sample to sample, so every group has something to learn.</summary>
    private sealed class BrightnessReward : IRewardFunction
    {
        public string Name => "test_brightness";

        public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
        {
            var scores = images.Select(i => i.Data.Average(v => (double)v)).ToArray();
            return new RewardBatch(scores, new Dictionary<string, double[]>());
        }
    }
}
