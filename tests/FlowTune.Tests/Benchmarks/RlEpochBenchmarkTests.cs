using FlowTune.Rl.Bench;
using FlowTune.Common;
using FlowTune.Rl;
using FlowTune.Tests.Rl;
using FlowTune.Torch;

namespace FlowTune.Tests.Benchmarks;

[Collection("Serial")]
public sealed class RlEpochBenchmarkTests
{
    private static RlEpochTiming Timing(double seconds, double forward, double backward, double reward) =>
        new(0, new ThreadSetting(2), 10, 0.5, seconds, 1.0, new Dictionary<string, double>
        {
            [StageTimes.SampleForward] = forward,
            [StageTimes.PolicyBackward] = backward,
            [StageTimes.RewardScore] = reward,
        });

    [Fact]
    public void Should_TakeMediansAndLeaveTheRestAsOther_When_Summarising()
    {
        // Given: three epochs; "other" is the epoch minus the main-thread stages (the worker's scoring is not subtracted)
        var epochs = new[] { Timing(10, 4, 5, 9), Timing(12, 4, 6, 9), Timing(11, 5, 5, 9) };

        // When
        var s = RlThreadSummary.Of(epochs);

        // Then
        Assert.Equal(11, s.Seconds, 12);
        Assert.Equal(4, s.Stages[StageTimes.SampleForward], 12);
        Assert.Equal(5, s.Stages[StageTimes.PolicyBackward], 12);
        Assert.Equal(0, s.Stages[StageTimes.ReferenceForward], 12);
        Assert.Equal(1, s.OtherSeconds, 12);                 // 10−9, 12−10, 11−10 → median 1
        Assert.Equal(10 / 11.0, s.ImagesPerSecond, 12);
        Assert.Equal(2.5, RlThreadSummary.Median([4, 1, 3, 2]), 12);
    }

    [Fact]
    public void Should_GiveTheTrainersRewards_When_RunningTheSameEpochs()
    {
        // Given
        var config = RlTrainerTests.Tiny();
        var dir = Path.Combine(Path.GetTempPath(), $"bench-rl-{Guid.NewGuid():N}");
        var trainer = new RlTrainer(config, dir, TextWriter.Null);
        trainer.Run(resume: false, CancellationToken.None);
        Directory.Delete(dir, true);

        // When
        using var runner = new RlEpochRunner(config);
        var first = runner.Run(0, ThreadSetting.Current);
        var second = runner.Run(1, ThreadSetting.Current);

        // Then: same config, seed and machine as the trainer's run, so the same numbers
        Assert.Equal(trainer.Epochs[0].RewardMean, first.RewardMean);
        Assert.Equal(trainer.Epochs[1].RewardMean, second.RewardMean);
        Assert.Equal(config.ImagesPerEpoch, first.Images);
        Assert.True(first.Stage(StageTimes.SampleForward) > 0, "sampling forwards are timed");
        Assert.True(first.Stage(StageTimes.ReferenceForward) > 0, "beta > 0: the reference pass runs");
        Assert.True(first.Stage(StageTimes.PolicyBackward) > 0, "the update runs");
        Assert.InRange(first.Stages.Values.Sum() - first.Stage(StageTimes.RewardScore), 0, first.Seconds);
        Assert.False(StageTimes.Enabled);
    }

    [Fact]
    public void Should_TimeEverySettingAndRestoreTheOneInForce_When_Benchmarking()
    {
        // Given
        var before = ThreadSetting.Current;
        var seen = new List<(ThreadSetting Setting, bool WarmUp, bool RowSplitInForce)>();
        ThreadSetting one = new(1), two = new(2), twoWhole = new(2, RowSplit: false);

        // When
        var summaries = RlEpochBenchmark.Run(RlTrainerTests.Tiny(), 2, [one, two, twoWhole],
            (e, warmUp) => seen.Add((e.Setting, warmUp, RowSplit.Enabled)));

        // Then: warm-ups first, then rounds alternating the settings, each in force during its epoch
        Assert.Equal([(one, true, true), (two, true, true), (twoWhole, true, false), (one, false, true), (two, false, true),
            (twoWhole, false, false), (one, false, true), (two, false, true), (twoWhole, false, false)], seen);
        Assert.Equal([one, two, twoWhole], summaries.Select(s => s.Setting));
        Assert.All(summaries, s => Assert.Equal(2, s.Epochs));
        Assert.Equal(before, ThreadSetting.Current);
        Assert.Throws<ArgumentException>(() => RlEpochBenchmark.Run(RlTrainerTests.Tiny(), 1, [two, new ThreadSetting(2)]));
    }
}
