using FlowTune.Rewards;
using FlowTune.Rl;
using FlowTune.Rl.SuperFlow;
using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rl;

/// <summary>An epoch's rollouts: where their initial noise comes from.</summary>
[Collection("Serial")]
public sealed class EpochSamplerTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Should_StartAGroupFromOneNoise_Only_When_SameInitialNoiseIsOn(bool same, bool adaptive)
    {
        // Given: 2 groups of 4 (or a budget of 12 in adaptive rounds: groups grow in a later round)
        var config = GrpoTrainerTests.Tiny() with
        {
            Sample = GrpoTrainerTests.Tiny().Sample with { SameInitialNoise = same, BatchSize = 3 },
            Superflow = new AdaptiveGroupOptions { AdaptiveGroups = adaptive, FirstRoundSize = 2, MinGroupSize = 2, MaxGroupSize = 6, Budget = 12 },
        };
        var world = WorldRegistry.Get("shapes");
        var train = new ShapesPromptSplit().Generate().Train;
        using var policy = new GrpoPolicy(GrpoTrainerTests.BaseModel, config);
        var sampler = new EpochSampler(config, policy, new AsyncRewardScorer(RewardRegistry.Create(config.Reward, world)), new PromptRewardTracker());

        var live = Tensor.LiveCount;

        // When
        List<GenEvalEntry> groups;
        List<(int Group, float[] Start, float[] End)> rollouts;
        using (TensorScope.Enter())
        {
            (groups, var batches) = sampler.Collect(0, train, new EpochPrompts(train, balanceTags: true));
            rollouts = batches.SelectMany(b => Enumerable.Range(0, (int)b.Trajectory.Count).Select(i =>
                (b.Groups[i], b.Trajectory.States.Select(0, i).Select(0, 0).ToArray<float>(), b.Trajectory.Final().Select(0, i).ToArray<float>()))).ToList();
            batches.ForEach(b => b.Rewards.Wait());
        }

        // Then
        Assert.Equal(live, Tensor.LiveCount);
        var pairs = rollouts.SelectMany((r, i) => rollouts.Skip(i + 1).Select(o => (r, o))).ToList();
        var sameGroup = pairs.Where(p => p.r.Group == p.o.Group).ToList();
        Assert.NotEmpty(sameGroup);
        Assert.True(groups.Count >= 2);
        Assert.All(sameGroup, p => Assert.Equal(same, p.r.Start.SequenceEqual(p.o.Start)));
        Assert.All(sameGroup, p => Assert.False(p.r.End.SequenceEqual(p.o.End), "the SDE noise must still tell group members apart"));
        Assert.All(pairs.Where(p => p.r.Group != p.o.Group), p => Assert.False(p.r.Start.SequenceEqual(p.o.Start)));
    }
}
