using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Sampling;

public sealed class SdeStepTests
{
    [Fact]
    public void Should_EqualAnalyticGaussianDensity_When_ComputingSdeLogProb()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(1);
        var x = Tensor.Randn([3, 2, 4, 4], generator);
        var v = Tensor.Randn([3, 2, 4, 4], generator);
        var t = Tensor.FromArray(new float[] { 1.0f, 0.6f, 0.3f }, 3);
        var tNext = Tensor.FromArray(new float[] { 0.9f, 0.5f, 0.0f }, 3);
        const double a = 0.7, tGrid1 = 0.9;

        // When
        using var transition = SdeStep.Transition(SdeKind.Sde, x, v, t, tNext, a, tGrid1);
        var xNext = transition.Mean + Tensor.Randn(x.Shape, generator) * transition.Std.View(-1, 1, 1, 1);
        var logp = SdeStep.LogProb(SdeKind.Sde, transition, xNext).ToArray<float>();

        // Then: recompute every quantity by hand in double precision
        var xs = x.ToArray<float>();
        var vs = v.ToArray<float>();
        var nexts = xNext.ToArray<float>();
        float[] ts = [1.0f, 0.6f, 0.3f], tns = [0.9f, 0.5f, 0.0f];
        for (var b = 0; b < 3; b++)
        {
            double tb = ts[b], dt = tns[b] - tb;
            var sigma = a * Math.Sqrt(tb / (1 - (tb == 1 ? tGrid1 : tb)));
            var std = sigma * Math.Sqrt(-dt);
            double sum = 0;
            for (var i = 0; i < 32; i++)
            {
                double xi = xs[b * 32 + i], vi = vs[b * 32 + i];
                var mean = xi + (vi + sigma * sigma / (2 * tb) * (xi + (1 - tb) * vi)) * dt;
                var d = nexts[b * 32 + i] - mean;
                sum += -d * d / (2 * std * std) - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI);
            }
            Assert.Equal(sum / 32, logp[b], 1e-4); // float32 sums of 32 terms of size ~1
        }
    }

    [Fact]
    public void Should_ReduceToEulerStep_When_NoiseLevelIsZero()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(2);
        var x = Tensor.Randn([2, 3, 2, 2], generator);
        var v = Tensor.Randn([2, 3, 2, 2], generator);
        var t = Tensor.Full([2], 0.5);
        var tNext = Tensor.Full([2], 0.4);

        // When
        using var sde = SdeStep.Transition(SdeKind.Sde, x, v, t, tNext, 0.0, 0.9);
        using var cps = SdeStep.Transition(SdeKind.Cps, x, v, t, tNext, 0.0, 0.9);
        var euler = x + v * -0.1;

        // Then
        Assert.True((sde.Mean - euler).Abs().Max().Item() < 1e-6);
        Assert.True((cps.Mean - euler).Abs().Max().Item() < 1e-6);
        Assert.Equal(0.0, sde.Std.Abs().Max().Item(), 12);
    }

    [Fact]
    public void Should_UseCpsFormulas_When_KindIsCps()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = Tensor.Full([1, 1, 1, 1], 0.5);
        var v = Tensor.Full([1, 1, 1, 1], -0.2);
        var t = Tensor.Full([1], 0.8);
        var tNext = Tensor.Full([1], 0.6);
        const double a = 0.7;

        // When
        using var cps = SdeStep.Transition(SdeKind.Cps, x, v, t, tNext, a, 0.9);
        var xNext = Tensor.Full([1, 1, 1, 1], 0.3);
        var logp = SdeStep.LogProb(SdeKind.Cps, cps, xNext).Item();

        // Then: to float32 rounding of values below 1 (a tolerance, not decimal places: rounding both sides to 6
        // places can split values that differ in the 8th)
        double x0 = 0.5 - 0.8 * -0.2, eps = 0.5 + 0.2 * -0.2, std = 0.6 * Math.Sin(a * Math.PI / 2);
        var mean = 0.4 * x0 + Math.Sqrt(0.36 - std * std) * eps;
        Assert.Equal(std, cps.Std.Item(), 1e-6);
        Assert.Equal(mean, cps.Mean.Item(), 1e-6);
        Assert.Equal(-(0.3 - mean) * (0.3 - mean), logp, 1e-6);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.7)]
    [InlineData(1.0)]
    public void Should_MatchOdeMarginals_When_SamplingGaussianToyWithSde(double noiseLevel)
    {
        // Given
        var model = new GaussianToyModel(mean: 0.3, std: 0.5, dim: 16);
        using var generator = new Generator(21);
        const int n = 2048;
        using var velocity = new GuidedVelocity(model, Enumerable.Repeat("", n).ToList(), 1.0);
        var options = new SdeSamplerOptions { Steps = 100, NoiseLevel = noiseLevel };

        // When
        using var trajectory = SdeSampler.Rollout(model, velocity, n, options, generator);
        using var final = trajectory.Final();
        var x = final.ToArray<float>();

        // Then: the exact marginal is N(0.3, 0.25); Euler–Maruyama with 100 steps stays within a few percent
        var mean = x.Average(v => (double)v);
        var variance = x.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, 0.28, 0.32);
        Assert.InRange(variance, 0.25 * 0.9, 0.25 * 1.1);
        Assert.Equal([n, 100L], trajectory.LogProbs.Shape);
    }

    [Fact]
    public void Should_StartFromTheGivenNoise_When_InitialNoiseIsPassed()
    {
        // Given
        var model = new GaussianToyModel(mean: 0.3, std: 0.5, dim: 16);
        using var generator = new Generator(3);
        using var velocity = new GuidedVelocity(model, ["", ""], 1.0);
        var options = new SdeSamplerOptions { Steps = 4, NoiseLevel = 0.7 };
        using var initial = Tensor.Full([2, 16, 1, 1], 0.25);
        using var wrong = Tensor.Full([3, 16, 1, 1], 0.25);

        // When
        using var trajectory = SdeSampler.Rollout(model, velocity, 2, options, generator, initial: initial);
        using var start = trajectory.States.Select(1, 0);
        var error = Assert.Throws<ArgumentException>(() => SdeSampler.Rollout(model, velocity, 2, options, generator, initial: wrong));

        // Then
        Assert.All(start.ToArray<float>(), v => Assert.Equal(0.25f, v));
        Assert.Contains("initial noise has shape [3, 16, 1, 1], the rollout needs [2, 16, 1, 1]", error.Message, StringComparison.Ordinal);
    }
}
