using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// adaLN modulation from the conditioning vector: <c>linear(SiLU(c))</c> cut into equal pieces,
/// applied to a LayerNorm without affine (eps 1e-6). Six chunks are diffusers' <c>AdaLayerNormZero</c> (shift,
/// scale, gate of attention; shift, scale, gate of the MLP), nine its <c>SD35AdaLayerNormZeroX</c> (plus shift,
/// scale, gate of the second attention), two its <c>AdaLayerNormContinuous</c> (scale, then shift: note the order).
/// </summary>
public sealed class AdaLayerNorm : Module
{
    private readonly int _chunks;
    private readonly Linear _linear;

    /// <summary>Creates the modulation of width <paramref name="width"/> with <paramref name="chunks"/> outputs.</summary>
    public AdaLayerNorm(int width, int chunks, Generator generator)
    {
        _chunks = chunks;
        _linear = RegisterModule("linear", new Linear(width, (long)chunks * width, generator));
    }

    /// <summary>conditioning [B, D] → <c>chunks</c> × [B, 1, D], in the order the class summary gives.</summary>
    public Tensor[] Modulation(Tensor conditioning)
    {
        using var scope = TensorScope.Enter();
        var parts = _linear.Forward(F.Silu(conditioning)).Unsqueeze(1).Chunk(_chunks, -1); // chunks × [B, 1, D]
        scope.MoveToOuter(parts);
        return parts;
    }

    /// <summary>LayerNorm without affine (eps 1e-6), then x·(1 + scale) + shift. x [B, T, D], shift/scale [B, 1, D].</summary>
    public static Tensor Modulate(Tensor normed, Tensor shift, Tensor scale)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(normed * (scale + 1.0) + shift);
    }

    /// <summary>LayerNorm over the last dimension without affine, eps 1e-6 (every SD3 norm).</summary>
    public static Tensor Norm(Tensor x) => F.LayerNorm(x, [x.Size(-1)], eps: 1e-6);
}
