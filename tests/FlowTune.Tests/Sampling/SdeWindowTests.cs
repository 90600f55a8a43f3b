using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Sampling;

public sealed class SdeWindowTests
{
    [Fact]
    public void Should_MakeEveryStepStochastic_When_NoWindowIsSet()
    {
        using var generator = new Generator(1);
        Assert.All(SdeSampler.Window(new SdeSamplerOptions { Steps = 10 }, generator), Assert.True);
    }

    [Fact]
    public void Should_MakeNoStepStochastic_When_NoiseLevelIsZero()
    {
        using var generator = new Generator(1);
        Assert.All(SdeSampler.Window(new SdeSamplerOptions { Steps = 10, NoiseLevel = 0, WindowSize = 2 }, generator), Assert.False);
    }

    [Theory]
    [InlineData(1, null, null)]
    [InlineData(2, 0, 5)]
    [InlineData(3, 2, 6)]
    [InlineData(4, 6, 10)]
    public void Should_DrawContiguousWindowsInsideTheRange_When_WindowIsSet(int size, int? start, int? end)
    {
        var options = new SdeSamplerOptions
        {
            Steps = 10,
            WindowSize = size,
            WindowRange = start is { } s && end is { } e ? (s, e) : null,
        };
        Assert.Empty(options.Validate());
        using var generator = new Generator(7);
        var starts = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var flags = SdeSampler.Window(options, generator);
            var on = Enumerable.Range(0, flags.Length).Where(k => flags[k]).ToArray();
            Assert.Equal(size, on.Length);
            Assert.Equal(on[0] + size - 1, on[^1]);
            Assert.InRange(on[0], start ?? 0, (end ?? 10) - size);
            starts.Add(on[0]);
        }
        Assert.Equal((end ?? 10) - size - (start ?? 0) + 1, starts.Count);   // every allowed start is drawn
    }

    [Fact]
    public void Should_DrawTheSameWindows_When_SeedIsTheSame()
    {
        var options = new SdeSamplerOptions { Steps = 10, WindowSize = 2, WindowRange = (0, 5) };
        using var a = new Generator(3);
        using var b = new Generator(3);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(SdeSampler.Window(options, a), SdeSampler.Window(options, b));
        }
    }

    [Fact]
    public void Should_ReportTheValues_When_RangeIsBad()
    {
        Assert.Contains(new SdeSamplerOptions { Steps = 10, WindowSize = 3, WindowRange = (4, 6) }.Validate(), p => p.Contains("[4, 6]"));
        Assert.Contains(new SdeSamplerOptions { Steps = 10, WindowSize = 2, WindowRange = (0, 11) }.Validate(), p => p.Contains("[0, 11]"));
        Assert.Contains(new SdeSamplerOptions { Steps = 10, WindowRange = (0, 5) }.Validate(), p => p.Contains("needs sample.sde_window_size"));
    }
}
