using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.SuperFlow;
using FlowTune.Rl.Update;
using FlowTune.Torch;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rl;

/// <summary>The rollout stage: where a round's initial noise comes from, and what a batch keeps.</summary>
[Collection("Serial")]
public sealed class RolloutSamplerTests
{
    private static readonly ObjectiveNeeds Grpo = new FlowGrpoOptions().Needs;

    private static PromptDraw Prompts() => new(new GenEvalPromptSource(new ShapesPromptSplit().Generate().Train), new PromptOptions());

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Should_StartAGroupFromOneNoise_Only_When_SameInitialNoiseIsOn(bool same, bool adaptive)
    {
        // Given: 2 groups of 4 (or a budget of 12 in adaptive rounds: groups grow in a later round)
        var config = RlTrainerTests.Tiny();
        IGroupOptions groups = adaptive
            ? new AdaptiveGroupOptions { NumGroupsPerEpoch = 2, NumImagePerPrompt = 4, FirstRoundSize = 2, MinGroupSize = 2, MaxGroupSize = 6, Budget = 12 }
            : config.Groups;
        using var models = new PolicyModels(RlTrainerTests.BaseModel, config.Seed, config.Train, Grpo);
        var sampler = new RolloutSampler(config.Sample with { SameInitialNoise = same, BatchSize = 3 }, config.Seed, models.RolloutPolicy, keepTrajectory: true, recordPredictions: false);
        var planner = groups.Create(config.Seed);
        var live = Finalizers.LiveTensors();

        // When: every round, with made-up rewards that differ within groups (so adaptive groups grow)
        var rollouts = new List<(int Group, float[] Start, float[] End)>();
        var round = planner.Begin(0, Prompts());
        var rounds = 0;
        while (round is not null)
        {
            foreach (var sampled in sampler.Sample(round))
            {
                using var batch = sampled.Batch;
                using var views = TensorScope.Enter();
                var trajectory = batch.RequireTrajectory();
                rollouts.AddRange(Enumerable.Range(0, batch.Count).Select(i =>
                    (batch.Groups[i], trajectory.States.Select(0, i).Select(0, 0).ToArray<float>(), batch.Final.Select(0, i).ToArray<float>())));
            }
            var finished = round;
            round = planner.Next(finished, () => [.. finished.Groups.Select((_, g) => (IReadOnlyList<double>)[.. finished.Slots.Where(s => s == g).Select((_, i) => (double)i)])]);
            rounds++;
        }

        // Then
        Assert.Equal(live, Finalizers.LiveTensors());
        Assert.Equal(adaptive ? 2 : 1, rounds);
        Assert.Equal(groups.ImagesPerEpoch, rollouts.Count);
        var pairs = rollouts.SelectMany((r, i) => rollouts.Skip(i + 1).Select(o => (r, o))).ToList();
        var sameGroup = pairs.Where(p => p.r.Group == p.o.Group).ToList();
        Assert.NotEmpty(sameGroup);
        Assert.All(sameGroup, p => Assert.Equal(same, p.r.Start.SequenceEqual(p.o.Start)));
        Assert.All(sameGroup, p => Assert.False(p.r.End.SequenceEqual(p.o.End), "the SDE noise must still tell group members apart"));
        Assert.All(pairs.Where(p => p.r.Group != p.o.Group), p => Assert.False(p.r.Start.SequenceEqual(p.o.Start)));
    }

    [Fact]
    public void Should_KeepOnlyFinalImages_When_TheObjectiveDoesNotTrainTransitions()
    {
        // Given: NFT's needs (no trajectory), one round of 2 × 4
        var config = RlTrainerTests.TinyNft();
        using var models = new PolicyModels(RlTrainerTests.BaseModel, config.Seed, config.Train, config.Objective.Needs);
        var full = new RolloutSampler(config.Sample, config.Seed, models.RolloutPolicy, keepTrajectory: true, recordPredictions: false);
        var light = new RolloutSampler(config.Sample, config.Seed, models.RolloutPolicy, keepTrajectory: false, recordPredictions: false);
        var round = config.Groups.Create(config.Seed).Begin(0, Prompts());
        var live = Finalizers.LiveTensors();

        // When
        using (var a = full.Sample(round).First().Batch)
        using (var b = light.Sample(round).First().Batch)
        {
            // Then: the same final images (same seed), but no states or log-probs kept, and a clear error for who asks
            Assert.Null(b.Trajectory);
            Assert.Equal(a.Final.Shape, b.Final.Shape);
            Assert.Equal(a.Final.ToArray<float>(), b.Final.ToArray<float>());
            Assert.Contains("ObjectiveNeeds.Trajectory", Assert.Throws<InvalidOperationException>(() => b.RequireTrajectory()).Message, StringComparison.Ordinal);
            Assert.Equal(a.Velocity.Conditional.Pooled.ToArray<float>(), b.Velocity.Conditional.Pooled.ToArray<float>());
        }
        Assert.Equal(live, Finalizers.LiveTensors());
    }

    [Fact]
    public void Should_KeepNoReferenceCopy_When_TheObjectiveHasNoAnchor()
    {
        // Given
        var config = RlTrainerTests.Tiny();

        // When
        using var anchored = new PolicyModels(RlTrainerTests.BaseModel, config.Seed, config.Train, Grpo);
        using var free = new PolicyModels(RlTrainerTests.BaseModel, config.Seed, config.Train, new FlowGrpoOptions { Beta = 0 }.Needs);

        // Then
        Assert.True(anchored.HasReference);
        Assert.False(free.HasReference);
        Assert.Contains("ObjectiveNeeds.Reference", Assert.Throws<InvalidOperationException>(() => free.ReferenceVelocity(m => throw new InvalidOperationException("not called"))).Message, StringComparison.Ordinal);
    }
}
