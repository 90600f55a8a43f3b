using FlowTune.Rl.Advantages;
using FlowTune.Rl.SuperFlow;

namespace FlowTune.Tests.Rl.Advantages;

/// <summary>Each advantage estimator on a stub epoch, against values computed by hand (comments show the arithmetic).</summary>
public sealed class AdvantageEstimatorTests
{
    private static readonly double[] Grid = [1.0, 0.5, 0.0];

    [Fact]
    public void Should_CentreOnTheGroupAndDivideByTheEpochStd_When_GroupNormalised()
    {
        // Given: group 0 = {1, 0}, group 1 = {0.5, 0.5} (zero variance)
        var input = new AdvantageInput([1, 0, 0.5, 0.5], [0, 0, 1, 1], null, Grid, VariableGroupSizes: false);

        // When
        var a = new GroupAdvantageOptions().Create().Estimate(input);

        // Then: epoch std = sqrt((0.25 + 0.25 + 0 + 0) / 4) = 0.353553; A = ±0.5 / (0.353553 + 1e-4) = ±1.4138137
        Assert.Equal([1.4138137, -1.4138137, 0, 0], a.Values.Select(v => Math.Round(v, 7)));
        Assert.Equal([true, true, false, false], a.Trained);
        Assert.Equal(0.5, a.ZeroStdRatio);
        Assert.Null(a.Steps);
    }

    [Fact]
    public void Should_ScaleEachGroupByNOverNMinusOne_When_GroupSizesVary()
    {
        // Given: {1, 0, 0} and {0.6, 0.2}; sizes differ, so the correction is on unless the config says otherwise
        var input = new AdvantageInput([1, 0, 0, 0.6, 0.2], [0, 0, 0, 1, 1], null, Grid, VariableGroupSizes: true);

        // When
        var auto = new GroupAdvantageOptions().Create().Estimate(input);
        var off = new GroupAdvantageOptions { SmallGroupCorrection = false }.Create().Estimate(input);

        // Then: epoch std = 0.3878144; group 0: 3/2 · (1 − 1/3) / (0.3878144 + 1e-4) = 2.5778884, 3/2 · (−1/3) / … = −1.2889442;
        // group 1: 2/1 · (±0.2) / … = ±1.0311554; without the correction the group-0 member is (2/3) / 0.3879144 = 1.7185923
        Assert.Equal([2.5778884, -1.2889442, -1.2889442, 1.0311554, -1.0311554], auto.Values.Select(v => Math.Round(v, 7)));
        Assert.Equal(1.7185923, Math.Round(off.Values[0], 7));
    }

    [Fact]
    public void Should_ClipAndUseTheGroupStd_When_Configured()
    {
        // Given: {1, 0} and {0.5, 0.4}; group std 0.5 and 0.05
        var input = new AdvantageInput([1, 0, 0.5, 0.4], [0, 0, 1, 1], null, Grid, VariableGroupSizes: false);

        // When
        var a = new GroupAdvantageOptions { GlobalStd = false, ClipMax = 0.9 }.Create().Estimate(input);

        // Then: 0.5 / 0.5001 = 0.9998 → clipped to 0.9; 0.05 / 0.0501 = 0.998 → clipped to 0.9
        Assert.Equal([0.9, -0.9, 0.9, -0.9], a.Values);
    }

    [Fact]
    public void Should_MixTrajectoryAndCentredStepGains_When_StepLevel()
    {
        // Given: one group of two rollouts, 2 steps on the grid 1 → 0.5 → 0 (widths 0.5, 0.5);
        // values V_0, V_1, V_2 (the last is the reward): gains [0.4, 0.4] and [0.2, −0.4]
        var input = new AdvantageInput([1, 0], [0, 0], [[0.2, 0.6, 1.0], [0.2, 0.4, 0.0]], Grid, VariableGroupSizes: false);

        // When
        var a = new StepAdvantageOptions { StepWeight = 0.5 }.Create().Estimate(input);

        // Then: σ = std(1, 0) + 1e-4 = 0.5001; A_traj = ±0.5 / 0.5001 = ±0.9998; step gains centred: ±0.1 and ±0.4;
        // A_k = 0.5·A_traj + 0.5·gain / (σ · 0.5): 0.4999 + 0.19996 = 0.69986, 0.4999 + 0.79984 = 1.29974
        Assert.Equal([0.9998, -0.9998], a.Values.Select(v => Math.Round(v, 4)));
        Assert.Equal([0.69986, 1.29974], a.Steps![0].Select(v => Math.Round(v, 5)));
        Assert.Equal([-0.69986, -1.29974], a.Steps![1].Select(v => Math.Round(v, 5)));
        Assert.True(new StepAdvantageOptions().NeedsStepValues);
        Assert.Throws<ArgumentException>(() => new StepAdvantageOptions().Create().Estimate(input with { Values = null }));
    }
}
