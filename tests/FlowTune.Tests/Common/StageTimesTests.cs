using FlowTune.Common;

namespace FlowTune.Tests.Common;

[Collection("Serial")]
public sealed class StageTimesTests
{
    [Fact]
    public void Should_RecordNothing_When_Disabled()
    {
        // Given
        StageTimes.Reset();
        StageTimes.Enabled = false;

        // When
        var value = StageTimes.Time("disabled stage", () => 7);
        StageTimes.Add("disabled stage", 1.0);
        using (StageTimes.Measure("disabled stage"))
        {
        }

        // Then
        Assert.Equal(7, value);
        Assert.False(StageTimes.Snapshot().ContainsKey("disabled stage"));
    }

    [Fact]
    public void Should_SumEveryCall_When_ManyThreadsRecordTheSameStage()
    {
        // Given
        StageTimes.Reset();
        StageTimes.Enabled = true;

        // When
        Parallel.For(0, 1000, _ => StageTimes.Add("shared stage", 0.001));
        StageTimes.Enabled = false;
        var total = StageTimes.Snapshot()["shared stage"];

        // Then
        Assert.Equal(1000, total.Count);
        Assert.Equal(1.0, total.Seconds, 6);
    }

    [Fact]
    public void Should_MeasureWallTime_When_TimingWork()
    {
        // Given
        StageTimes.Reset();
        StageTimes.Enabled = true;

        // When
        StageTimes.Time("sleep", () => Thread.Sleep(30));
        using (StageTimes.Measure("sleep"))
        {
            Thread.Sleep(30);
        }
        StageTimes.Enabled = false;
        var sleep = StageTimes.Snapshot()["sleep"];
        StageTimes.Reset();

        // Then
        Assert.Equal(2, sleep.Count);
        Assert.InRange(sleep.Seconds, 0.058, 5.0);
        Assert.Empty(StageTimes.Snapshot());
    }
}
