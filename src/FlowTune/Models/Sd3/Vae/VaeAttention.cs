using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// The VAE mid block's self-attention (diffusers <c>Attention</c> with <c>residual_connection</c>, one head of the
/// full channel width): GroupNorm (eps 1e-6) over the feature map, q/k/v over the H·W positions (row-major),
/// softmax(q kᵀ/√C) v, <c>to_out.0</c>, plus the input.
/// </summary>
public sealed class VaeAttention : Module
{
    private readonly GroupNorm _norm;
    private readonly Linear _q;
    private readonly Linear _k;
    private readonly Linear _v;
    private readonly Linear _out;

    /// <summary>Creates the attention over <paramref name="channels"/> channels.</summary>
    public VaeAttention(int channels, int groups, Generator generator)
    {
        _norm = RegisterModule("group_norm", new GroupNorm(groups, channels, 1e-6));
        _q = RegisterModule("to_q", new Linear(channels, channels, generator));
        _k = RegisterModule("to_k", new Linear(channels, channels, generator));
        _v = RegisterModule("to_v", new Linear(channels, channels, generator));
        var toOut = RegisterModule("to_out", new ModuleGroup());
        _out = toOut.Add("0", new Linear(channels, channels, generator));
    }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var s = x.Shape;
        var tokens = _norm.Forward(x).View(s[0], s[1], s[2] * s[3]).Transpose(1, 2);     // [B, HW, C]
        var q = _q.Forward(tokens).Unsqueeze(1);                                         // [B, 1, HW, C]
        var k = _k.Forward(tokens).Unsqueeze(1);
        var v = _v.Forward(tokens).Unsqueeze(1);
        var o = _out.Forward(F.ScaledDotProductAttention(q, k, v).Squeeze(1));           // [B, HW, C]
        var map = o.Transpose(1, 2).Reshape(s[0], s[1], s[2], s[3]);                     // [B, C, H, W]
        return scope.MoveToOuter(map + x);
    }
}
