using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>
/// Sinusoidal features of t·1000 (DDPM/DiT convention, half cosines then sines, max period 10,000) followed by
/// Linear → SiLU → Linear.
/// </summary>
public sealed class TimestepEmbedding : Module
{
    private readonly int _frequencies;
    private readonly Linear _fc1;
    private readonly Linear _fc2;

    /// <summary>Creates the embedding with <paramref name="frequencies"/> sinusoidal features and output width <paramref name="width"/>.</summary>
    public TimestepEmbedding(int frequencies, int width, Generator generator)
    {
        _frequencies = frequencies;
        _fc1 = RegisterModule("fc1", new Linear(frequencies, width, generator));
        _fc2 = RegisterModule("fc2", new Linear(width, width, generator));
    }

    /// <summary>Sinusoidal features: t [B] → [B, frequencies].</summary>
    public static Tensor Sinusoidal(Tensor t, int frequencies)
    {
        using var scope = TensorScope.Enter();
        var half = frequencies / 2;
        var freqs = (Tensor.Arange(0, half, 1, DType.Float32) * (-Math.Log(10000.0) / half)).Exp(); // [half]
        var args = (t.To(DType.Float32) * 1000.0).Unsqueeze(1) * freqs.Unsqueeze(0);               // [B, half]
        return scope.MoveToOuter(Tensor.Cat([args.Cos(), args.Sin()], 1));                            // [B, 2·half]
    }

    /// <summary>t [B] → [B, width].</summary>
    public Tensor Forward(Tensor t)
    {
        using var scope = TensorScope.Enter();
        var h = _fc2.Forward(F.Silu(_fc1.Forward(Sinusoidal(t, _frequencies)))); // [B, width]
        return scope.MoveToOuter(h);
    }
}
