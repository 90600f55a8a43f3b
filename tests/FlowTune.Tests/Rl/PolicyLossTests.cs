using FlowTune.Rl.Objectives;
using FlowTune.Torch;

namespace FlowTune.Tests.Rl;

public sealed class PolicyLossTests
{
    [Theory]
    [InlineData(0.5, 1.00005, 2.0, -2.0 * 1.00005)]   // A > 0, ratio inside the clip range: −A·ratio
    [InlineData(0.5, 1.001, 2.0, -2.0 * 1.0001)]      // A > 0, ratio above 1 + ε: the clipped term is larger
    [InlineData(0.5, 0.999, 2.0, -2.0 * 0.999)]       // A > 0, ratio below 1 − ε: unclipped is larger
    [InlineData(0.5, 0.999, -3.0, 3.0 * 0.9999)]      // A < 0, ratio below 1 − ε: clipped
    [InlineData(0.5, 1.001, -3.0, 3.0 * 1.001)]       // A < 0, ratio above 1 + ε: unclipped
    public void Should_MatchHandComputedPpoTerm_When_ClipIsActiveOrNot(double logpOld, double ratio, double advantage, double expected)
    {
        // Given
        using var scope = TensorScope.Enter();
        var oldT = Tensor.FromArray(new[] { logpOld }, 1);
        var newT = Tensor.FromArray(new[] { logpOld + Math.Log(ratio) }, 1);
        var adv = Tensor.FromArray(new[] { advantage }, 1);

        // When
        var (terms, r) = PolicyLoss.Clipped(newT, oldT, adv, 1e-4);

        // Then
        Assert.Equal(ratio, r.Item(), 9);
        Assert.Equal(expected, terms.Item(), 9);
    }

    [Fact]
    public void Should_MatchHandComputedKl_When_MeansDiffer()
    {
        // Given
        using var scope = TensorScope.Enter();
        var mean = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2);
        var reference = Tensor.FromArray(new double[] { 1, 1, 3, 2 }, 2, 2);
        var sigma = Tensor.FromArray(new double[] { 0.5, 2.0 }, 2);
        var minusDt = Tensor.FromArray(new double[] { 0.1, 0.2 }, 2);

        // When
        var reference1 = PolicyLoss.Kl(mean, reference, sigma, minusDt, KlKind.Reference).ToArray<double>();
        var exact = PolicyLoss.Kl(mean, reference, sigma, minusDt, KlKind.Exact).ToArray<double>();
        var same = PolicyLoss.Kl(mean, mean, sigma, minusDt, KlKind.Exact).ToArray<double>();

        // Then: row 0: mean((0, 1)²) = 0.5 / (2·0.25) = 1; row 1: mean((0, 2)²) = 2 / (2·4) = 0.25
        Assert.Equal([1.0, 0.25], reference1.Select(v => Math.Round(v, 12)));
        Assert.Equal([10.0, 1.25], exact.Select(v => Math.Round(v, 9)));
        Assert.Equal([0.0, 0.0], same);
    }

    [Fact]
    public void Should_ComputeApproxKlAndClipFraction_When_RatiosVary()
    {
        // Given
        using var scope = TensorScope.Enter();
        var oldT = Tensor.FromArray(new double[] { 0, 0, 0, 0 }, 4);
        var newT = Tensor.FromArray(new double[] { 0, 0.00005, 0.001, -0.002 }, 4);

        // When
        var approx = PolicyLoss.ApproxKl(newT, oldT);
        var (_, ratio) = PolicyLoss.Clipped(newT, oldT, Tensor.Ones([4], DType.Float64), 1e-4);
        var clipFrac = PolicyLoss.ClipFraction(ratio, 1e-4);

        // Then
        Assert.Equal(0.5 * (0.00005 * 0.00005 + 0.001 * 0.001 + 0.002 * 0.002) / 4, approx, 12);
        Assert.Equal(0.5, clipFrac, 9);
    }

    [Fact]
    public void Should_MapAdvantagesToOptimality_When_ObjectiveIsNft()
    {
        // When
        var r = NftObjective.OptimalityProbability([-3.0, -1.0, -0.5, 0.0, 0.25, 2.0], 1.0);
        var wide = NftObjective.OptimalityProbability([1.0], 2.0);

        // Then
        Assert.Equal([0f, 0f, 0.25f, 0.5f, 0.625f, 1f], r);
        Assert.Equal([0.75f], wide);
    }
}
