using FlowTune.Rl;
using FlowTune.Sampling;

namespace FlowTune.Tests.Rl;

public sealed class GrpoConfigTests
{
    private static string RepoFile(string relative)
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "FlowTune.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    [Theory]
    [InlineData("configs/shapes-grpo.yaml", false, false)]
    [InlineData("configs/shapes-superflow.yaml", true, true)]
    [InlineData("configs/shapes-groups.yaml", true, false)]
    [InlineData("configs/shapes-steps.yaml", false, true)]
    [InlineData("configs/shapes-nft.yaml", false, false)]
    [InlineData("configs/shapes-groups-strat.yaml", true, false)]
    [InlineData("configs/shapes-superflow-strat.yaml", true, true)]
    public void Should_LoadShippedConfigs_When_Parsed(string file, bool adaptive, bool steps)
    {
        // When
        var config = GrpoConfigLoader.Load(RepoFile(file));

        // Then
        Assert.Equal(10, config.Sample.NumSteps);
        Assert.Equal(40, config.Sample.EvalNumSteps);
        Assert.Equal(SdeKind.Sde, config.Sample.Kind);
        Assert.Equal(1e-4, config.Train.ClipRange);
        Assert.Equal(adaptive, config.Superflow.AdaptiveGroups);
        Assert.Equal(steps, config.Superflow.StepAdvantages);
        Assert.Equal(1.0, config.Reward["geneval"]);
    }

    [Fact]
    public void Should_StartAbout8PromptsAndKeepTagShares_When_TheStratifiedGroupsAreLoaded()
    {
        // When
        var groups = GrpoConfigLoader.Load(RepoFile("configs/shapes-groups-strat.yaml"));
        var sf = GrpoConfigLoader.Load(RepoFile("configs/shapes-superflow-strat.yaml"));

        // Then: first rounds of 6 over half of 96 images = the fixed run's 8 prompts; the SuperFlow variant halves λ
        Assert.Equal(96, groups.ImagesPerEpoch());
        Assert.True(groups.Superflow.StratifyTags);
        Assert.Equal(groups.Sample.NumGroupsPerEpoch, (int)(groups.ImagesPerEpoch() * groups.Superflow.FirstRoundFraction) / groups.Superflow.FirstRoundSize);
        Assert.Equal(groups.Superflow with { StepAdvantages = true, StepWeight = 0.25 }, sf.Superflow);
    }

    [Fact]
    public void Should_UseReferenceDefaults_When_FieldsAreOmitted()
    {
        // When
        var config = GrpoConfigLoader.Parse("seed: 1\n");

        // Then
        Assert.Equal(0.7, config.Sample.NoiseLevel);
        Assert.Equal(0.04, config.Train.Beta);
        Assert.Equal(0.99, config.Train.TimestepFraction);
        Assert.Equal(2, config.Train.UpdatesPerEpoch);
        Assert.Equal(3e-4, config.Train.LearningRate);
        Assert.Equal(5.0, config.Train.AdvClipMax);
        Assert.True(config.Sample.GlobalStd);
        Assert.False(config.Sample.SameInitialNoise);
    }

    [Fact]
    public void Should_ReportEveryBadFieldWithItsValue_When_Invalid()
    {
        // When
        var error = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("sample:\n  num_steps: 0\n  num_image_per_prompt: 1\ntrain:\n  clip_range: -1\n"));

        // Then
        Assert.Contains("sample.num_steps must be >= 1, got 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("num_image_per_prompt must be >= 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("train.clip_range must be positive, got -1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RefuseMoreUpdatesThanRolloutBatches_When_GroupsAreFixed()
    {
        // When: 8 × 12 = 96 images in batches of 32 make 3 batches
        var error = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("train:\n  updates_per_epoch: 8\n"));
        var small = GrpoConfigLoader.Parse("sample:\n  batch_size: 12\ntrain:\n  updates_per_epoch: 8\n");

        // Then
        Assert.Contains("train.updates_per_epoch is 8, but an epoch has only 3 rollout batches (96 images / sample.batch_size 32)", error.Message, StringComparison.Ordinal);
        Assert.Equal(8, small.Train.UpdatesPerEpoch);
    }

    [Fact]
    public void Should_NameTheLine_When_KeyIsUnknown()
    {
        // When
        var error = Assert.Throws<InvalidDataException>(() => GrpoConfigLoader.Parse("seed: 1\ntrain:\n  learnin_rate: 0.1\n", "x.yaml"));

        // Then
        Assert.Contains("x.yaml:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("learnin_rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RoundTrip_When_WrittenAndReadBack()
    {
        // Given
        var config = GrpoConfigLoader.Parse("seed: 7\nuse_lora: true\nsample:\n  same_initial_noise: true\nreward:\n  geneval: 2.0\n");

        // When
        var back = GrpoConfigLoader.Parse(GrpoConfigLoader.ToYaml(config));

        // Then
        Assert.Equal(7, back.Seed);
        Assert.True(back.UseLora);
        Assert.True(back.Sample.SameInitialNoise);
        Assert.Equal(2.0, back.Reward["geneval"]);
        Assert.Equal(config.Train.LoraTargets, back.Train.LoraTargets);
    }

    [Fact]
    public void Should_PassTheWindowRangeToTheSampler_When_Configured()
    {
        // When
        var config = GrpoConfigLoader.Parse("sample:\n  sde_window_size: 2\n  sde_window_range: [0, 5]\n");
        var error = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("sample:\n  sde_window_size: 2\n  sde_window_range: [1, 2, 3]\n"));

        // Then
        Assert.Equal((0, 5), config.Sample.ToSamplerOptions().WindowRange);
        Assert.Contains("sde_window_range must be two step indices [start, end], got [1, 2, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RejectOdeRolloutsAndStepAdvantages_When_TheObjectiveCannotUseThem()
    {
        // When
        var grpo = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("sample:\n  noise_level: 0\n"));
        var nft = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("train:\n  objective: nft\nsuperflow:\n  step_advantages: true\n"));
        var ok = GrpoConfigLoader.Parse("sample:\n  noise_level: 0\ntrain:\n  objective: nft\n");
        var decay = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("train:\n  nft_sampling_decay: 0.5\n"));
        var decayRange = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("train:\n  objective: nft\n  nft_sampling_decay: 1.0\n"));

        // Then
        Assert.Contains("sample.noise_level must be positive for train.objective grpo", grpo.Message, StringComparison.Ordinal);
        Assert.Contains("superflow.step_advantages needs train.objective grpo", nft.Message, StringComparison.Ordinal);
        Assert.Equal(ObjectiveKind.Nft, ok.Train.Objective);
        Assert.Contains("train.nft_sampling_decay needs train.objective nft", decay.Message, StringComparison.Ordinal);
        Assert.Contains("train.nft_sampling_decay must be in [0, 1), got 1", decayRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ReadTagWeights_When_GivenAndRejectBadOnes()
    {
        // When
        var ok = GrpoConfigLoader.Parse("prompts:\n  tag_weights:\n    position: 3\n    single_object: 0\n");
        var bad = Assert.Throws<ArgumentException>(() => GrpoConfigLoader.Parse("prompts:\n  balance_tags: false\n  tag_weights:\n    postion: 2\n    colors: -1\n"));

        // Then
        var weights = ok.Prompts.WeightsByTag();
        Assert.Equal(3.0, weights[FlowTune.Worlds.GenEvalTag.Position]);
        Assert.Equal(0.0, weights[FlowTune.Worlds.GenEvalTag.SingleObject]);
        Assert.Equal(1.0, weights[FlowTune.Worlds.GenEvalTag.ColorAttr]);
        Assert.Contains("unknown tag 'postion'", bad.Message, StringComparison.Ordinal);
        Assert.Contains("prompts.tag_weights.colors must be a finite weight >= 0, got -1", bad.Message, StringComparison.Ordinal);
        Assert.Contains("prompts.tag_weights needs prompts.balance_tags: true", bad.Message, StringComparison.Ordinal);
        Assert.Equal(3.0, GrpoConfigLoader.Parse(GrpoConfigLoader.ToYaml(ok)).Prompts.TagWeights["position"]);
    }
}
