using FlowTune.Models;
using FlowTune.Rl.SuperFlow;
using FlowTune.Sampling;

namespace FlowTune.Tests.Rl.SuperFlow;

public sealed class StepAdvantagesTests
{
    [Fact]
    public void Should_TelescopeToCentredRewardGain_When_WeightedByStepWidths()
    {
        // Given: 3 samples of one group, T = 4 on a shifted grid
        var grid = TimeGrid.Shifted(4, 3.0);
        double[][] values = [[0.0, 0.1, 0.5, 0.7, 1.0], [0.1, 0.1, 0.2, 0.2, 0.0], [0.0, 0.3, 0.3, 0.6, 0.5]];
        int[] groups = [0, 0, 0];
        const double sigma = 0.4;

        // When
        var a = StepAdvantages.Compute(values, groups, grid, sigma, trajectory: [0, 0, 0], lambda: 1.0, clip: 100);

        // Then: Σ_k w_k A_k = ((r − V0) − mean_group(r − V0)) / σ
        var widths = StepAdvantages.Widths(grid);
        var gains = values.Select(v => v[^1] - v[0]).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var weighted = Enumerable.Range(0, 4).Sum(k => widths[k] * a[i][k]);
            Assert.Equal((gains[i] - gains.Average()) / sigma, weighted, 9);
        }
    }

    [Fact]
    public void Should_KeepTheSameScale_When_TheNumberOfStepsChanges()
    {
        // Given: values that grow at a constant rate along the flow, V(t) = c·(1 − t), different per sample
        double[] rates = [0.2, 0.8];
        double[][] Values(double[] grid) => rates.Select(c => grid.Select(t => c * (1 - t)).ToArray()).ToArray();
        var coarse = TimeGrid.Shifted(5);
        var fine = TimeGrid.Shifted(20, 2.0);

        // When
        var a5 = StepAdvantages.Compute(Values(coarse), [0, 0], coarse, 1.0, [0, 0], 1.0, clip: 100);
        var a20 = StepAdvantages.Compute(Values(fine), [0, 0], fine, 1.0, [0, 0], 1.0, clip: 100);

        // Then: every step's advantage is the centred rate (±0.3) whatever T and grid
        Assert.All(a5[0].Concat(a20[0]), v => Assert.Equal(-0.3, v, 9));
        Assert.All(a5[1].Concat(a20[1]), v => Assert.Equal(0.3, v, 9));
    }

    [Fact]
    public void Should_ReduceToTrajectoryAdvantages_When_StepWeightIsZero()
    {
        // Given
        var grid = TimeGrid.Shifted(3);
        double[][] values = [[0, 0.2, 0.9, 1], [0, 0.5, 0.1, 0]];
        double[] trajectory = [1.2, -1.2];

        // When
        var a = StepAdvantages.Compute(values, [0, 0], grid, 0.5, trajectory, lambda: 0.0);

        // Then
        Assert.All(a[0], v => Assert.Equal(1.2, v, 12));
        Assert.All(a[1], v => Assert.Equal(-1.2, v, 12));
        Assert.All(StepAdvantages.LossWeights(grid), w => Assert.Equal(1.0, w, 12));
    }
}
