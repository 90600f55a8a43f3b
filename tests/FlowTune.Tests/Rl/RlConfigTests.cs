using FlowTune.Common;
using FlowTune.Nn;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Config;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.SuperFlow;
using FlowTune.Sampling;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rl;

public sealed class RlConfigTests
{
    [Theory]
    [InlineData("configs/shapes-grpo.yaml", "fixed", "group", "grpo")]
    [InlineData("configs/shapes-superflow.yaml", "adaptive", "step", "grpo")]
    [InlineData("configs/shapes-groups.yaml", "adaptive", "group", "grpo")]
    [InlineData("configs/shapes-steps.yaml", "fixed", "step", "grpo")]
    [InlineData("configs/shapes-nft.yaml", "fixed", "group", "nft")]
    [InlineData("configs/shapes-nft-fast.yaml", "fixed", "group", "nft")]
    [InlineData("configs/shapes-nft-pilot.yaml", "fixed", "group", "nft")]
    [InlineData("configs/shapes-nft-anchored.yaml", "fixed", "group", "nft")]
    [InlineData("configs/shapes-awm.yaml", "fixed", "group", "awm")]
    [InlineData("configs/shapes-superflow-published.yaml", "uncertainty", "tracker", "grpo")]
    [InlineData("configs/shapes-sfp-groups.yaml", "uncertainty", "group", "grpo")]
    [InlineData("configs/shapes-sfp-tracker.yaml", "fixed", "tracker", "grpo")]
    [InlineData("configs/shapes-sfp-sigma.yaml", "fixed", "group", "grpo")]
    [InlineData("configs/shapes-groups-strat.yaml", "adaptive", "group", "grpo")]
    [InlineData("configs/shapes-superflow-strat.yaml", "adaptive", "step", "grpo")]
    [InlineData("configs/sd35-medium-grpo.yaml", "fixed", "group", "grpo")]
    public void Should_LoadShippedConfigs_When_Parsed(string file, string groups, string advantages, string objective)
    {
        // When
        var config = RlConfigLoader.Load(RepoPaths.File(file));

        // Then: every variant inherits the base's rollouts, evaluation and optimizer
        Assert.Equal(10, config.Sample.NumSteps);
        Assert.Equal(40, config.Eval.NumSteps);
        Assert.Equal(SdeKind.Sde, config.Sample.Kind);
        Assert.Equal(1, config.Train.EmaUpdateEvery);
        Assert.Equal(groups, GroupPlanners.Registry.NameOf(config.Groups));
        Assert.Equal(advantages, AdvantageEstimators.Registry.NameOf(config.Advantages));
        Assert.Equal(objective, PolicyObjectives.Registry.NameOf(config.Objective));
        Assert.Equal(1.0, config.Reward.Weights["geneval"]);
    }

    [Fact]
    public void Should_CarryTheReferenceSd35Recipe_When_TheSd35MediumConfigIsLoaded()
    {
        // When
        var config = RlConfigLoader.Load(RepoPaths.File("configs/sd35-medium-grpo.yaml"));

        // Then: 512 px, T5 length 128, CFG 4.5, LoRA r32/α64 Gaussian on the joint attentions' eight projections
        Assert.Equal((512, 512), (config.Pretrained.Pipeline.Height, config.Pretrained.Pipeline.Width));
        Assert.Equal(128, config.Pretrained.Pipeline.MaxSequenceLength);
        Assert.Equal(4.5, config.Sample.GuidanceScale);
        Assert.Equal(4.5, config.Eval.GuidanceScale);
        Assert.True(config.Train.UseLora);
        Assert.Equal((32, 64.0, LoraInit.Gaussian), (config.Train.LoraRank, config.Train.LoraAlpha, config.Train.LoraInit));
        Assert.Equal(8, config.Train.LoraTargets.Count);
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Should_StartAbout8PromptsAndKeepTagShares_When_TheStratifiedGroupsAreLoaded()
    {
        // When
        var groups = RlConfigLoader.Load(RepoPaths.File("configs/shapes-groups-strat.yaml"));
        var sf = RlConfigLoader.Load(RepoPaths.File("configs/shapes-superflow-strat.yaml"));

        // Then: first rounds of 6 over half of 96 images = the fixed run's 8 prompts; the SuperFlow variant halves λ
        var adaptive = Assert.IsType<AdaptiveGroupOptions>(groups.Groups);
        Assert.Equal(96, groups.ImagesPerEpoch);
        Assert.True(adaptive.StratifyTags);
        Assert.Equal(adaptive.NumGroupsPerEpoch, (int)(groups.ImagesPerEpoch * adaptive.FirstRoundFraction) / adaptive.FirstRoundSize);
        Assert.Equal(adaptive, sf.Groups);
        Assert.Equal(0.25, Assert.IsType<StepAdvantageOptions>(sf.Advantages).StepWeight);
    }

    [Fact]
    public void Should_UseReferenceDefaults_When_FieldsAreOmitted()
    {
        // When
        var config = RlConfigLoader.Parse("seed: 1\n");

        // Then
        var grpo = Assert.IsType<FlowGrpoOptions>(config.Objective);
        var advantages = Assert.IsType<GroupAdvantageOptions>(config.Advantages);
        Assert.Equal(0.7, config.Sample.NoiseLevel);
        Assert.Equal(0.04, grpo.Beta);
        Assert.Equal(0.99, grpo.TimestepFraction);
        Assert.Equal(2, config.Train.UpdatesPerEpoch);
        Assert.Equal(3e-4, config.Train.LearningRate);
        Assert.Equal(5.0, advantages.ClipMax);
        Assert.True(advantages.GlobalStd);
        Assert.False(config.Sample.SameInitialNoise);
        Assert.IsType<FixedGroupOptions>(config.Groups);
    }

    [Fact]
    public void Should_ReportEveryBadFieldWithItsValue_When_Invalid()
    {
        // When
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("sample:\n  num_steps: 0\ngroups:\n  num_image_per_prompt: 1\nobjective:\n  clip_range: -1\n"));

        // Then
        Assert.Contains("config:2: sample.num_steps: 0: must be >= 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("config:4: groups.num_image_per_prompt: 1: must be >= 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("config:6: objective.clip_range: -1: must be positive", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Problems.Count(p => p.Line is not null));
    }

    [Fact]
    public void Should_RefuseMoreUpdatesThanRolloutBatches_When_GroupsAreFixed()
    {
        // When: 8 × 12 = 96 images in batches of 32 make 3 batches
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("train:\n  updates_per_epoch: 8\n"));
        var small = RlConfigLoader.Parse("sample:\n  batch_size: 12\ntrain:\n  updates_per_epoch: 8\n");

        // Then
        Assert.Contains("config:2: train.updates_per_epoch: is 8, but an epoch has only 3 rollout batches (96 images / sample.batch_size 32)", error.Message, StringComparison.Ordinal);
        Assert.Equal(8, small.Train.UpdatesPerEpoch);
    }

    [Theory]
    [InlineData("seed: 1\ntrain:\n  learnin_rate: 0.1\n", "x.yaml:3", "learnin_rate")]
    [InlineData("seed: 1\nobjective:\n  name: nft\n  clip_range: 0.1\n", "x.yaml:4", "clip_range")]
    [InlineData("seed: 1\nobjective:\n  name: ppo\n", "x.yaml:3: objective.name: ppo: expected one of: grpo, nft, awm", "objective.name")]
    public void Should_NameTheLine_When_KeyIsUnknown(string yaml, string where, string what)
    {
        // When
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse(yaml, "x.yaml"));

        // Then
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ReportEveryProblemWithItsKeyAndLine_When_AConfigHasSeveral()
    {
        // Given: a type error, an unknown key, an out-of-range value and a zero learning rate, as a new user writes them
        var yaml = "seed: 3\nobjective:\n  clip_range: -1\n  beta: abc\ntrain:\n  learning_rate: 0\n  foo: 1\n";

        // When
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse(yaml, "run.yaml"));

        // Then: all four at once, each as file:line: key.path: value: what is expected, in file order
        Assert.Equal(
            ["run.yaml:3: objective.clip_range: -1: must be positive", "run.yaml:4: objective.beta: abc: expected a number",
             "run.yaml:6: train.learning_rate: 0: must be positive", "run.yaml:7: train.foo: unknown key; known keys here: " + string.Join(", ", YamlSchema.Keys(typeof(FlowTune.Rl.Update.UpdateOptions)).Keys.Order(StringComparer.Ordinal))],
            error.Problems.Select(p => p.ToString()));
        Assert.DoesNotContain("FlowTune.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train:\n  learnin_rate: 0.1\n", "x.yaml:2: train.learnin_rate: unknown key; did you mean 'learning_rate'?")]
    [InlineData("sample:\n  num_steps: ten\n", "x.yaml:2: sample.num_steps: ten: expected a whole number")]
    [InlineData("train:\n  use_lora: maybe\n", "x.yaml:2: train.use_lora: maybe: expected true or false")]
    [InlineData("clock: sundial\n", "x.yaml:1: clock: sundial: expected one of: wall, unstolen")]
    [InlineData("sample:\n  sde_window_range: 3\n", "x.yaml:2: sample.sde_window_range: 3: expected a list of whole numbers, e.g. [a, b]")]
    [InlineData("train: 5\n", "x.yaml:1: train: 5: expected a mapping with keys")]
    [InlineData("reward:\n  geneval: high\n", "x.yaml:2: reward.geneval: high: expected a number")]
    public void Should_NameKeyValueAndExpectation_When_AValueHasTheWrongKind(string yaml, string expected)
    {
        // When
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse(yaml, "x.yaml"));

        // Then
        Assert.StartsWith(expected, Assert.Single(error.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameTheFileAndLineOfABase_When_TheProblemIsInherited()
    {
        // Given: the base sets a bad value, the child a bad key
        var dir = Directory.CreateTempSubdirectory("rl-base-problems-").FullName;
        File.WriteAllText(Path.Combine(dir, "base.yaml"), "seed: 1\nsave_freq: 0\n");
        File.WriteAllText(Path.Combine(dir, "child.yaml"), "base: base.yaml\nsaev_freq: 2\n");

        // When
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Load(Path.Combine(dir, "child.yaml")));

        // Then
        Assert.Contains($"{Path.Combine(dir, "base.yaml")}:2: save_freq: 0: must be >= 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(dir, "child.yaml")}:2: saev_freq: unknown key; did you mean 'save_freq'?", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Should_ReportMissingFiles_When_AskedToCheckThem()
    {
        // Given
        var yaml = "pretrained:\n  model: models/no-such-model\nprompts:\n  train: no-such-prompts.jsonl\n";

        // When
        var unchecked_ = RlConfigLoader.Parse(yaml, "x.yaml");
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse(yaml, "x.yaml", checkFiles: true));

        // Then
        Assert.Equal("models/no-such-model", unchecked_.Pretrained.Model);
        Assert.Equal(2, error.Problems.Count);
        Assert.StartsWith("x.yaml:2: pretrained.model: models/no-such-model: no such model folder", error.Problems[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("x.yaml:4: prompts.train: no-such-prompts.jsonl: no such prompt file", error.Problems[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ReadAndWriteARewardServer_When_TheRewardSectionNamesOne()
    {
        // Given
        var yaml = "reward:\n  geneval: 0.5\n  remote:\n    url: http://127.0.0.1:18085/\n    weight: 2\n    protocol: pickle\n    max_concurrency: 4\n";

        // When
        var config = RlConfigLoader.Parse(yaml);
        var back = RlConfigLoader.Parse(RlConfigLoader.ToYaml(config));
        var bad = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("reward:\n  genevl: 1\n  remote:\n    url: ftp://x\n    retires: 3\n", "r.yaml"));

        // Then
        Assert.Equal(0.5, back.Reward.Weights["geneval"]);
        Assert.Equal(new FlowTune.Rewards.Remote.RemoteRewardOptions { Url = "http://127.0.0.1:18085/", Weight = 2, Protocol = FlowTune.Rewards.Remote.RewardServerProtocol.Pickle, MaxConcurrency = 4 }, back.Reward.Remote);
        Assert.Equal(RlConfigLoader.ToYaml(config), RlConfigLoader.ToYaml(back));
        Assert.Equal(
            ["r.yaml:2: reward.genevl: unknown reward; did you mean 'geneval'?", "r.yaml:4: reward.remote.url: ftp://x: must be an http:// or https:// address",
             "r.yaml:5: reward.remote.retires: unknown key; did you mean 'retries'?"],
            bad.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Should_RoundTrip_When_WrittenAndReadBack()
    {
        // Given: every stage section set away from its default
        var config = RlConfigLoader.Parse("seed: 7\ntrain:\n  use_lora: true\nsample:\n  same_initial_noise: true\nreward:\n  geneval: 2.0\n"
            + "groups:\n  name: adaptive\n  first_round_size: 6\nadvantages:\n  name: step\n  step_weight: 0.3\nobjective:\n  name: grpo\n  kl_type: exact\n");

        // When
        var yaml = RlConfigLoader.ToYaml(config);
        var back = RlConfigLoader.Parse(yaml);

        // Then
        Assert.Equal(yaml, RlConfigLoader.ToYaml(back));
        Assert.True(back.Train.UseLora);
        Assert.True(back.Sample.SameInitialNoise);
        Assert.Equal(KlKind.Exact, Assert.IsType<FlowGrpoOptions>(back.Objective).KlType);
        Assert.Equal(6, Assert.IsType<AdaptiveGroupOptions>(back.Groups).FirstRoundSize);
        Assert.Equal(2.0, back.Reward.Weights["geneval"]);
        Assert.Equal(config.Train.LoraTargets, back.Train.LoraTargets);
        Assert.DoesNotContain("images_per_epoch", yaml, StringComparison.Ordinal);
        Assert.Equal(0.3, Assert.IsType<StepAdvantageOptions>(back.Advantages).StepWeight);
    }

    [Fact]
    public void Should_PassTheWindowRangeToTheSampler_When_Configured()
    {
        // When
        var config = RlConfigLoader.Parse("sample:\n  sde_window_size: 2\n  sde_window_range: [0, 5]\n");
        var error = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("sample:\n  sde_window_size: 2\n  sde_window_range: [1, 2, 3]\n"));

        // Then
        Assert.Equal((0, 5), config.Sample.ToSamplerOptions().WindowRange);
        Assert.Contains("sample.sde_window_range: [1, 2, 3]: must be two step indices [start, end]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RejectOdeRolloutsAndStepAdvantages_When_TheObjectiveCannotUseThem()
    {
        // When
        var grpo = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("sample:\n  noise_level: 0\n"));
        var nft = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("objective:\n  name: nft\nadvantages:\n  name: step\n"));
        var ok = RlConfigLoader.Parse("sample:\n  noise_level: 0\nobjective:\n  name: nft\n");
        var decayRange = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("objective:\n  name: nft\n  sampling_decay_max: 1.0\n"));

        // Then
        Assert.Contains("sample.noise_level: 0: must be positive for objective grpo", grpo.Message, StringComparison.Ordinal);
        Assert.Contains("advantages: step needs an objective that trains each step (grpo); objective nft", nft.Message, StringComparison.Ordinal);
        Assert.IsType<NftOptions>(ok.Objective);
        Assert.Contains("config:3: objective.sampling_decay_max: 1: must be in [0, 1)", decayRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ReadTagWeights_When_GivenAndRejectBadOnes()
    {
        // When
        var ok = RlConfigLoader.Parse("prompts:\n  tag_weights:\n    position: 3\n    single_object: 0\n");
        var bad = Assert.Throws<ConfigException>(() => RlConfigLoader.Parse("prompts:\n  balance_tags: false\n  tag_weights:\n    colors: -1\n"));
        var source = new GenEvalPromptSource(new ShapesPromptSplit().Generate().Train);
        var unknown = Assert.Throws<ArgumentException>(() => new PromptDraw(source, new PromptOptions { TagWeights = new() { ["postion"] = 2 } }));
        var none = Assert.Throws<ArgumentException>(() => new PromptDraw(source, new PromptOptions { TagWeights = source.Tags.ToDictionary(t => t, _ => 0.0) }));

        // Then
        Assert.Equal(3.0, ok.Prompts.TagWeights["position"]);
        Assert.Contains("unknown tag 'postion'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("leaves every tag out", none.Message, StringComparison.Ordinal);
        Assert.Contains("config:4: prompts.tag_weights.colors: -1: must be a finite weight >= 0", bad.Message, StringComparison.Ordinal);
        Assert.Contains("config:3: prompts.tag_weights: needs prompts.balance_tags: true", bad.Message, StringComparison.Ordinal);
        Assert.Equal(3.0, RlConfigLoader.Parse(RlConfigLoader.ToYaml(ok)).Prompts.TagWeights["position"]);
    }

    [Fact]
    public void Should_PassTheSolverToTheEvaluator_When_TheEvalSectionNamesHeun()
    {
        // Given / When
        var config = RlConfigLoader.Parse("eval:\n  solver: heun\n  num_steps: 20\n");

        // Then
        Assert.Equal(OdeSolver.Heun, config.Eval.Solver);
        Assert.Equal(OdeSolver.Heun, config.Eval.ToEvalOptions(1.0).Solver);
        Assert.Equal(OdeSolver.Euler, RlConfigLoader.Parse("seed: 1\n").Eval.Solver);
        Assert.Equal(OdeSolver.Heun, RlConfigLoader.Parse(RlConfigLoader.ToYaml(config)).Eval.Solver);
    }

    [Fact]
    public void Should_OverlayTheBaseKeyByKey_When_AConfigNamesABase()
    {
        // Given: a base, a variant that changes two fields and switches the objective, a variant of the variant
        var dir = Directory.CreateTempSubdirectory("rl-base-").FullName;
        File.WriteAllText(Path.Combine(dir, "a.yaml"), "seed: 3\nsample:\n  num_steps: 6\n  batch_size: 8\nobjective:\n  name: grpo\n  beta: 0.5\n");
        File.WriteAllText(Path.Combine(dir, "b.yaml"), "base: a.yaml\nsample:\n  batch_size: 16\nobjective:\n  name: nft\n  timestep_fraction: 0.3\n");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "c.yaml"), "base: ../b.yaml\nseed: 4\n");

        // When
        var b = RlConfigLoader.Load(Path.Combine(dir, "b.yaml"));
        var c = RlConfigLoader.Load(Path.Combine(dir, "sub", "c.yaml"));

        // Then: mappings merge; a section with another name replaces the base's (no grpo beta leaks into nft)
        Assert.Equal(3, b.Seed);
        Assert.Equal(6, b.Sample.NumSteps);
        Assert.Equal(16, b.Sample.BatchSize);
        Assert.Equal(new NftOptions { TimestepFraction = 0.3 }, b.Objective);
        Assert.Equal(RlConfigLoader.ToYaml(b with { Seed = 4 }), RlConfigLoader.ToYaml(c));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Should_NameTheChain_When_BasesFormACycleOrAreMissing()
    {
        // Given
        var dir = Directory.CreateTempSubdirectory("rl-cycle-").FullName;
        File.WriteAllText(Path.Combine(dir, "a.yaml"), "base: b.yaml\n");
        File.WriteAllText(Path.Combine(dir, "b.yaml"), "base: a.yaml\n");
        File.WriteAllText(Path.Combine(dir, "c.yaml"), "base: nowhere.yaml\n");

        // When
        var cycle = Assert.Throws<ConfigException>(() => RlConfigLoader.Load(Path.Combine(dir, "a.yaml")));
        var missing = Assert.Throws<ConfigException>(() => RlConfigLoader.Load(Path.Combine(dir, "c.yaml")));

        // Then
        Assert.Contains("cycle", cycle.Message, StringComparison.Ordinal);
        Assert.Contains("b.yaml", cycle.Message, StringComparison.Ordinal);
        Assert.Contains("nowhere.yaml", missing.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }
}
