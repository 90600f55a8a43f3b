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

    [Fact]
    public void Should_LandCloserToTheExactFlowThanEuler_When_SolvingWithHeun()
    {
        // Given: for x0 ~ N(μ, s²) the flow maps the noise ε at t = 1 to exactly μ + s·ε at t = 0
        var model = new GaussianToyModel(mean: 0.3, std: 0.5, dim: 16);
        var prompts = Enumerable.Repeat("", 32).ToList();
        using var noiseGenerator = new Generator(21);
        using var noise = Tensor.Randn([32, 16, 1, 1], noiseGenerator);
        var exact = noise.ToArray<float>().Select(e => 0.3 + 0.5 * e).ToArray();
        double Error(OdeSolver solver, int steps)
        {
            using var generator = new Generator(21);                            // the same first draw: the same ε
            using var x = OdeSampler.SampleModelSpace(model, prompts, new OdeSamplerOptions { Steps = steps, BatchSize = 32, Solver = solver }, generator);
            return x.ToArray<float>().Zip(exact, (a, b) => Math.Abs(a - b)).Max();
        }

        // When
        var euler4 = Error(OdeSolver.Euler, 4);
        var heun4 = Error(OdeSolver.Heun, 4);
        var euler8 = Error(OdeSolver.Euler, 8);
        var heun8 = Error(OdeSolver.Heun, 8);

        // Then: Heun beats Euler at equal steps, and its error falls faster with the steps (second order)
        Assert.True(heun4 < euler4 / 2, $"Heun {heun4} against Euler {euler4} at 4 steps");
        Assert.True(heun8 < euler8 / 2, $"Heun {heun8} against Euler {euler8} at 8 steps");
        Assert.True(euler8 > euler4 / 3, $"Euler's error roughly halves: {euler4} → {euler8}");
        Assert.True(heun8 < heun4 / 2.5, $"Heun's error falls faster: {heun4} → {heun8}");
    }
}
