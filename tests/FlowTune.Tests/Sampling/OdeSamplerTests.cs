using FlowTune.Models;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Sampling;

/// <summary>
/// The exact velocity of a Gaussian data distribution x0 ~ N(μ, s²I) under x_t = (1 − t)x0 + t·eps:
/// with d = x_t − (1 − t)μ and τ² = (1 − t)²s² + t², E[eps|x_t] = t·d/τ² and E[x0|x_t] = μ + (1 − t)s²·d/τ²,
/// so v = E[eps − x0 | x_t]. Samples of a correct sampler must have mean μ and variance s².
/// </summary>
internal sealed class GaussianToyModel(double mean, double std, long dim) : IVelocityModel
{
    public long[] SampleShape => [dim, 1, 1];

    public Tensor Velocity(Tensor x, Tensor t, TextBatch text)
    {
        using var scope = TensorScope.Enter();
        var tv = t.To(DType.Float64).View(-1, 1, 1, 1);
        var xd = x.To(DType.Float64);
        var d = xd - (1.0 - tv) * mean;
        var tau2 = (1.0 - tv).Square() * (std * std) + tv.Square();
        var v = tv * d / tau2 - (d * (1.0 - tv) * (std * std) / tau2 + mean);
        return scope.MoveToOuter(v.To(x.DType));
    }

    public TextBatch EncodeText(IReadOnlyList<string> prompts) =>
        new(Tensor.Zeros([prompts.Count, 1, 1]), Tensor.Zeros([prompts.Count, 1], DType.Bool), Tensor.Zeros([prompts.Count, 1]));
}

public sealed class OdeSamplerTests
{
    [Fact]
    public void Should_StartAtNoiseAndEndAtData_When_BuildingTheShiftedGrid()
    {
        // When
        var linear = TimeGrid.Shifted(4);
        var shifted = TimeGrid.Shifted(4, 3.0);

        // Then
        Assert.Equal([1.0, 0.75, 0.5, 0.25, 0.0], linear);
        Assert.Equal(1.0, shifted[0]);
        Assert.Equal(0.0, shifted[^1]);
        Assert.Equal(3 * 0.5 / (1 + 2 * 0.5), shifted[2], 12);
        Assert.True(shifted[1] > linear[1], "shift > 1 keeps more steps near the noise end");
    }

    [Fact]
    public void Should_ReproduceMeanAndVariance_When_SamplingGaussianWithTrueVelocity()
    {
        // Given
        var model = new GaussianToyModel(mean: 0.3, std: 0.5, dim: 64);
        using var generator = new Generator(11);
        var prompts = Enumerable.Repeat("", 256).ToList();
        var options = new OdeSamplerOptions { Steps = 100, BatchSize = 256 };

        // When
        using var samples = OdeSampler.SampleModelSpace(model, prompts, options, generator);
        var x = samples.ToArray<float>().Select(v => (double)v).ToArray();

        // Then
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, 0.28, 0.32);
        Assert.InRange(variance, 0.25 * 0.95, 0.25 * 1.05);
    }
}
