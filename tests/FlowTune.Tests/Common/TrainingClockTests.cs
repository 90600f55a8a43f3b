using FlowTune.Common;

namespace FlowTune.Tests.Common;

public sealed class TrainingClockTests
{
    [Fact]
    public void ParsesTheMachineLineOfProcStat()
    {
        var ticks = CpuTicks.Parse("cpu  100 5 20 900 7 3 2 50 0 0");
        Assert.Equal(new CpuTicks(100 + 5 + 20 + 3 + 2, 50), ticks);
        Assert.Null(CpuTicks.Parse("cpu0 100 5 20 900 7 3 2 50 0 0"));
        Assert.Null(CpuTicks.Parse("cpu 1 2 3"));
        Assert.Null(CpuTicks.Parse(null));
    }

    [Fact]
    public void StolenFractionIsStealOverWantedTime()
    {
        var before = new CpuTicks(1000, 200);
        Assert.Equal(0.25, new CpuTicks(1300, 300).StolenFractionSince(before), 12);
        Assert.Equal(0.0, new CpuTicks(1300, 200).StolenFractionSince(before));
        Assert.Equal(0.0, before.StolenFractionSince(before));
    }

    [Fact]
    public void UnstolenClockCountsOnlyTheUnstolenShareAndNothingWhilePaused()
    {
        long busy = 0, steal = 0;
        CpuTicks? Read()
        {
            busy += 10;
            steal += 10;                                                                  // half of every interval stolen
            return new CpuTicks(busy, steal);
        }
        var wall = new TrainingClock(5, TrainingClockKind.Wall);
        var unstolen = new TrainingClock(5, TrainingClockKind.Unstolen, Read);
        Thread.Sleep(150);
        var u = unstolen.Seconds - 5;
        var w = wall.Seconds - 5;
        Assert.InRange(w, 0.14, 10);
        Assert.InRange(u / w, 0.45, 0.55);

        unstolen.Pause();
        var paused = unstolen.Seconds;
        Thread.Sleep(50);
        Assert.Equal(paused, unstolen.Seconds);
        unstolen.Resume();
        Assert.True(unstolen.Seconds >= paused);
    }

    [Fact]
    public void UnstolenClockWithoutProcStatIsTheWallClock()
    {
        var wall = new TrainingClock(0, TrainingClockKind.Wall);
        var unstolen = new TrainingClock(0, TrainingClockKind.Unstolen, () => null);
        Thread.Sleep(100);
        var u = unstolen.Seconds;
        var w = wall.Seconds;
        Assert.InRange(u / w, 0.95, 1.0 + 1e-9);
    }
}
