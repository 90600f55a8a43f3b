using FlowTune.Rl.Advantages;

namespace FlowTune.Tests.Rl;

public sealed class GroupAdvantagesTests
{
    [Fact]
    public void Should_MatchHandComputedValues_When_UsingGlobalStd()
    {
        // Given: two groups; epoch rewards 1, 0, 0.5, 0.5, 1, 0 → mean 0.5, population std sqrt(1/6)·... computed below
        double[] rewards = [1, 0, 0.5, 0.5, 1, 0];
        int[] groups = [0, 0, 0, 1, 1, 1];
        var mean = rewards.Average();
        var std = Math.Sqrt(rewards.Sum(r => (r - mean) * (r - mean)) / 6);

        // When
        var a = GroupAdvantages.Compute(rewards, groups, globalStd: true);

        // Then: each group's mean is 0.5
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal((rewards[i] - 0.5) / (std + 1e-4), a.Values[i], 12);
        }
        Assert.Equal(0.0, a.ZeroStdRatio);
    }

    [Fact]
    public void Should_MatchHandComputedValues_When_UsingGroupStd()
    {
        // Given
        double[] rewards = [1, 0, 0.25, 0.75];
        int[] groups = [0, 0, 1, 1];

        // When
        var a = GroupAdvantages.Compute(rewards, groups, globalStd: false);

        // Then: group 0: mean 0.5, std 0.5; group 1: mean 0.5, std 0.25
        Assert.Equal(0.5 / 0.5001, a.Values[0], 12);
        Assert.Equal(-0.5 / 0.5001, a.Values[1], 12);
        Assert.Equal(-0.25 / 0.2501, a.Values[2], 12);
        Assert.Equal(0.25 / 0.2501, a.Values[3], 12);
    }

    [Fact]
    public void Should_ZeroAndFlagGroups_When_RewardsAreAllEqual()
    {
        // Given
        double[] rewards = [1, 1, 1, 0, 1, 0.5];
        int[] groups = [7, 7, 7, 3, 3, 3];

        // When
        var a = GroupAdvantages.Compute(rewards, groups, globalStd: true);

        // Then
        Assert.Equal([true, true, true, false, false, false], a.ZeroVarianceGroup);
        Assert.Equal([0.0, 0.0, 0.0], a.Values[..3]);
        Assert.Equal(0.5, a.ZeroStdRatio);
    }

    [Fact]
    public void Should_ClipAdvantages_When_TheyExceedTheBound()
    {
        // Given: one success among 100 → (1 − 0.01) / 0.0995 ≈ 9.9 before clipping
        var rewards = Enumerable.Range(0, 100).Select(i => i == 99 ? 1.0 : 0.0).ToArray();
        var groups = rewards.Select(_ => 0).ToArray();

        // When
        var a = GroupAdvantages.Compute(rewards, groups, globalStd: true, clip: 5);

        // Then
        Assert.Equal(5.0, a.Values[^1]);
        Assert.True(a.Values[0] < 0 && a.Values[0] > -5);
    }

    [Fact]
    public void Should_CentreEachGroupOnItsOwnMean_When_GroupSizesDiffer()
    {
        // Given
        double[] rewards = [1, 0, 0, 0, 1];
        int[] groups = [0, 0, 0, 1, 1];

        // When
        var a = GroupAdvantages.Compute(rewards, groups, globalStd: false);

        // Then
        Assert.Equal(0.0, a.Values[..3].Sum(), 12);
        Assert.Equal(0.0, a.Values[3..].Sum(), 12);
    }
}
