using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.UNet;

/// <summary>
/// Residual conv block: h = conv1(SiLU(GN(x))); h = GN(h)·(1 + scale) + shift (from the embedding);
/// h = conv2(SiLU(h)) with conv2 zero-initialised, so a new block starts as the identity; out = skip(x) + h.
/// </summary>
public sealed class ResBlock : Module
{
    private readonly GroupNorm _norm1;
    private readonly Conv2d _conv1;
    private readonly Linear _modulation;
    private readonly GroupNorm _norm2;
    private readonly Conv2d _conv2;
    private readonly Conv2d? _skip;

    /// <summary>Creates the block.</summary>
    public ResBlock(int inChannels, int outChannels, int embeddingWidth, int groups, Generator generator)
    {
        _norm1 = RegisterModule("norm1", new GroupNorm(groups, inChannels));
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, generator));
        _modulation = RegisterModule("modulation", new Linear(embeddingWidth, 2 * outChannels, generator, zeroInit: true));
        _norm2 = RegisterModule("norm2", new GroupNorm(groups, outChannels));
        _conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, generator, zeroInit: true));
        if (inChannels != outChannels)
        {
            _skip = RegisterModule("skip", new Conv2d(inChannels, outChannels, 1, generator));
        }
    }

    /// <summary>x [B, Cin, H, W], embedding [B, E] (already passed through SiLU) → [B, Cout, H, W].</summary>
    public Tensor Forward(Tensor x, Tensor embedding)
    {
        using var scope = TensorScope.Enter();
        var h = _conv1.Forward(F.Silu(_norm1.Forward(x)));                      // [B, Cout, H, W]
        var mod = _modulation.Forward(embedding).Unsqueeze(-1).Unsqueeze(-1);  // [B, 2·Cout, 1, 1]
        var parts = mod.Chunk(2, 1);                                            // scale, shift: [B, Cout, 1, 1]
        h = _norm2.Forward(h) * (parts[0] + 1.0) + parts[1];
        h = _conv2.Forward(F.Silu(h));                                          // [B, Cout, H, W]
        var skip = _skip is null ? x : _skip.Forward(x);
        return scope.MoveToOuter(skip + h);
    }
}
