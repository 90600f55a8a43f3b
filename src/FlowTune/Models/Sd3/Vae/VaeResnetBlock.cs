using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> without a time embedding: GroupNorm → SiLU → 3×3 conv, twice, plus the input
/// (through a 1×1 <c>conv_shortcut</c> when the channel count changes). Norm eps 1e-6.
/// </summary>
public sealed class VaeResnetBlock : Module
{
    private readonly GroupNorm _norm1;
    private readonly Conv2d _conv1;
    private readonly GroupNorm _norm2;
    private readonly Conv2d _conv2;
    private readonly Conv2d? _shortcut;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public VaeResnetBlock(int inChannels, int outChannels, int groups, Generator generator)
    {
        _norm1 = RegisterModule("norm1", new GroupNorm(groups, inChannels, 1e-6));
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, generator));
        _norm2 = RegisterModule("norm2", new GroupNorm(groups, outChannels, 1e-6));
        _conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, generator));
        if (inChannels != outChannels)
        {
            _shortcut = RegisterModule("conv_shortcut", new Conv2d(inChannels, outChannels, 1, generator, padding: 0));
        }
    }

    /// <summary>[B, in, H, W] → [B, out, H, W].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var h = _conv1.Forward(F.Silu(_norm1.Forward(x)));
        h = _conv2.Forward(F.Silu(_norm2.Forward(h)));
        return scope.MoveToOuter((_shortcut?.Forward(x) ?? x) + h);
    }
}
