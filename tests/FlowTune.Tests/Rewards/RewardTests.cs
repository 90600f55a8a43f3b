using FlowTune.Imaging;
using FlowTune.Rewards;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rewards;

public sealed class RewardTests
{
    private static readonly ShapesWorld World = new();

    private static (List<RgbImage> Images, List<RewardPrompt> Prompts) GroundTruth(int count)
    {
        var (_, test) = World.DefaultPrompts();
        var entries = test.Take(count).ToList();
        var images = entries.Select((e, i) => World.RenderGroundTruth(e, 32, i)).ToList();
        return (images, entries.Select(e => new RewardPrompt(e.Prompt, e)).ToList());
    }

    [Fact]
    public void Should_GiveFullRewardAndStrictComponent_When_ImagesAreGroundTruth()
    {
        // Given
        var (images, prompts) = GroundTruth(12);
        var reward = RewardRegistry.Create(new RewardOptions(), World);

        // When
        var batch = reward.Score(images, prompts);

        // Then
        Assert.Equal("geneval", reward.Name);
        Assert.All(batch.Scores, s => Assert.Equal(1.0, s, 9));
        Assert.All(batch.Components["geneval_strict"], s => Assert.Equal(1.0, s));
    }

    [Fact]
    public void Should_ScoreNearZero_When_ImagesAreBlank()
    {
        // Given
        var (_, prompts) = GroundTruth(12);
        var blank = prompts.Select(_ => new RgbImage(32, 32)).ToList();

        // When
        var batch = new GenEvalReward(World.Judge()).Score(blank, prompts);

        // Then
        Assert.All(batch.Components["geneval_strict"], s => Assert.Equal(0.0, s));
        Assert.True(batch.Scores.Average() < 0.1, $"mean reward {batch.Scores.Average()}");
    }

    [Fact]
    public void Should_WeightAndNameComponents_When_CombiningRewards()
    {
        // Given
        var (images, prompts) = GroundTruth(4);
        var constant = new ConstantReward("half", 0.5);
        var combined = new WeightedReward([(new GenEvalReward(World.Judge()), 2.0), (constant, -1.0)]);

        // When
        var batch = combined.Score(images, prompts);

        // Then
        Assert.All(batch.Scores, s => Assert.Equal(2.0 * 1.0 - 0.5, s, 9));
        Assert.Equal(["geneval", "geneval/geneval_strict", "half"], batch.Components.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("geneval+half", combined.Name);
    }

    [Fact]
    public void Should_ListEveryProblem_When_RewardSpecIsInvalid()
    {
        // When
        var error = Assert.Throws<ArgumentException>(() =>
            RewardRegistry.Create(new RewardOptions { Weights = new() { ["nope"] = 1.0, ["geneval"] = double.NaN } }, World));

        // Then
        Assert.Contains("unknown reward 'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains("reward.geneval must be a finite weight, got NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_ScoreOnAnotherThread_When_Started()
    {
        // Given
        var (images, prompts) = GroundTruth(4);
        var probe = new ThreadProbeReward();
        var scorer = new AsyncRewardScorer(probe);

        // When
        var batch = await scorer.Start(images, prompts);

        // Then
        Assert.Equal(4, batch.Scores.Length);
        Assert.NotEqual(Environment.CurrentManagedThreadId, probe.ThreadId);
    }

    private sealed class ConstantReward(string name, double value) : IRewardFunction
    {
        public string Name => name;

        public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts) =>
            new(Enumerable.Repeat(value, images.Count).ToArray(), new Dictionary<string, double[]>());
    }

    private sealed class ThreadProbeReward : IRewardFunction
    {
        public int ThreadId { get; private set; }

        public string Name => "probe";

        public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
        {
            ThreadId = Environment.CurrentManagedThreadId;
            return new(new double[images.Count], new Dictionary<string, double[]>());
        }
    }
}
