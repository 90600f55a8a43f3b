using FlowTune.Models;
using FlowTune.Torch;

namespace FlowTune.Sampling;

/// <summary>Options of the deterministic sampler.</summary>
public sealed record OdeSamplerOptions
{
    /// <summary>Euler steps (evaluation default: 40).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Time shift of the grid (1 = linear).</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>Classifier-free guidance scale (1 = no guidance).</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Images per forward batch (memory bound).</summary>
    public int BatchSize { get; init; } = 64;
}

/// <summary>Euler ODE sampler: x_{k+1} = x_k + v(x_k, t_k)·dt from x_0 ~ N(0, I) at t = 1 to data at t = 0.</summary>
public static class OdeSampler
{
    /// <summary>Samples one image per prompt; returns pixels [B, C, H, W] in [0, 1]. Noise comes from <paramref name="generator"/>.</summary>
    public static Tensor Sample(IVelocityModel model, IReadOnlyList<string> prompts, OdeSamplerOptions options, Generator generator)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(PixelSpace.ToPixels(SampleModelSpace(model, prompts, options, generator)));
    }

    /// <summary>Samples one image per prompt; returns the raw model-space result x at t = 0 (not clamped).</summary>
    public static Tensor SampleModelSpace(IVelocityModel model, IReadOnlyList<string> prompts, OdeSamplerOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grid = TimeGrid.Shifted(options.Steps, options.Shift);
        var chunks = new List<Tensor>();
        for (var start = 0; start < prompts.Count; start += options.BatchSize)
        {
            var batch = prompts.Skip(start).Take(options.BatchSize).ToList();
            var x = Tensor.Randn([batch.Count, .. model.SampleShape], generator); // [B, C, H, W]
            using var velocity = new GuidedVelocity(model, batch, options.GuidanceScale);
            for (var k = 0; k < options.Steps; k++)
            {
                using var step = TensorScope.Enter();
                var v = velocity.At(x, grid[k]);
                var next = step.MoveToOuter(x + v * (grid[k + 1] - grid[k]));
                x.Dispose();
                x = next;
            }
            chunks.Add(x);
        }
        return scope.MoveToOuter(Tensor.Cat(chunks));
    }
}
