using FlowTune.Rl.Bench;
using FlowTune.Cli.Bench;
using FlowTune.Cli.Commands;
using FlowTune.Common;

namespace FlowTune.Tests.Cli;

public sealed class BenchRlTests
{
    [Fact]
    public void Should_ParseDistinctPositiveCounts_When_ReadingTheThreadsList()
    {
        // Given / When
        var parsed = BenchCommand.ParseThreads(" 1, 2,4 ");

        // Then
        Assert.Equal([1, 2, 4], parsed);
        Assert.Throws<ArgumentException>(() => BenchCommand.ParseThreads("1,1"));
        Assert.Throws<ArgumentException>(() => BenchCommand.ParseThreads("0"));
        Assert.Throws<ArgumentException>(() => BenchCommand.ParseThreads("two"));
        Assert.Throws<ArgumentException>(() => BenchCommand.ParseThreads(","));
    }

    [Fact]
    public void Should_RunEachCountAboveOneBothWays_When_RowSplitIsBoth()
    {
        // Given / When
        var both = BenchCommand.Settings([1, 2], "both");

        // Then
        Assert.Equal([new ThreadSetting(1), new ThreadSetting(2), new ThreadSetting(2, RowSplit: false)], both);
        Assert.Equal([new ThreadSetting(1, false), new ThreadSetting(2, false)], BenchCommand.Settings([1, 2], "off"));
        Assert.Throws<ArgumentException>(() => BenchCommand.Settings([2], "maybe"));
    }

    [Fact]
    public void Should_PrintEveryStageShareAndTheSpeedUp_When_Formatting()
    {
        // Given: 1 thread 12 s (6 s of policy backward), 2 threads 8 s (4 s)
        var stages = RlEpochBenchmark.MainThreadStages.Append(StageTimes.RewardScore).ToDictionary(s => s, _ => 0.0);
        var one = new RlThreadSummary(new ThreadSetting(1), 3, 12, 8, new Dictionary<string, double>(stages) { [StageTimes.PolicyBackward] = 6 }, 6);
        var two = new RlThreadSummary(new ThreadSetting(2), 3, 8, 12, new Dictionary<string, double>(stages) { [StageTimes.PolicyBackward] = 4 }, 4);
        var whole = new RlThreadSummary(new ThreadSetting(2, RowSplit: false), 3, 10, 9.6, new Dictionary<string, double>(stages) { [StageTimes.PolicyBackward] = 4 }, 6);

        // When
        var text = RlBenchmark.Format([one, two, whole]);

        // Then
        var backward = text.Split('\n').Single(l => l.TrimStart().StartsWith(StageTimes.PolicyBackward, StringComparison.Ordinal));
        Assert.Contains("6.00 s", backward, StringComparison.Ordinal);
        Assert.Contains("50 %", backward, StringComparison.Ordinal);
        Assert.Contains("4.00 s", backward, StringComparison.Ordinal);
        Assert.Contains("2 threads are 1.50× as fast as 1", text, StringComparison.Ordinal);
        Assert.Contains("2 threads, no row split are 1.20× as fast as 1", text, StringComparison.Ordinal);
        Assert.Contains("row split at 2 threads: 1.25× as fast as without", text, StringComparison.Ordinal);
        Assert.Contains("images/s", text, StringComparison.Ordinal);
    }
}
