using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.UNet;

/// <summary>
/// Attention over the pixels of a feature map: optional self-attention, cross-attention to text tokens and an MLP,
/// each pre-norm with a zero-initialised output (so the block starts as the identity). With position features the
/// pixels first receive a <see cref="PositionCode"/> (also zero at the start).
/// </summary>
public sealed class SpatialAttention : Module
{
    private readonly LayerNorm? _selfNorm;
    private readonly MultiheadAttention? _self;
    private readonly LayerNorm _crossNorm;
    private readonly MultiheadAttention _cross;
    private readonly LayerNorm? _mlpNorm;
    private readonly Linear? _fc1;
    private readonly Linear? _fc2;
    private readonly PositionCode? _position;

    /// <summary>
    /// Creates the block for <paramref name="channels"/> channels and text width <paramref name="textWidth"/>;
    /// <paramref name="positionFeatures"/> &gt; 0 adds a position code (registered last and zero-initialised, so the
    /// other weights draw the same random numbers as without it).
    /// </summary>
    public SpatialAttention(int channels, int textWidth, int heads, bool selfAttention, bool mlp, Generator generator, int positionFeatures = 0)
    {
        if (selfAttention)
        {
            _selfNorm = RegisterModule("self_norm", new LayerNorm(channels));
            _self = RegisterModule("self_attn", new MultiheadAttention(channels, heads, generator, zeroInitOutput: true));
        }
        _crossNorm = RegisterModule("cross_norm", new LayerNorm(channels));
        _cross = RegisterModule("cross_attn", new MultiheadAttention(channels, heads, generator, kvDim: textWidth, zeroInitOutput: true));
        if (mlp)
        {
            _mlpNorm = RegisterModule("mlp_norm", new LayerNorm(channels));
            _fc1 = RegisterModule("fc1", new Linear(channels, 4 * channels, generator));
            _fc2 = RegisterModule("fc2", new Linear(4 * channels, channels, generator, zeroInit: true));
        }
        if (positionFeatures > 0)
        {
            _position = RegisterModule("position", new PositionCode(positionFeatures, channels, generator));
        }
    }

    /// <summary>x [B, C, H, W], text tokens [B, L, Dt] with padding mask [B, L] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor x, TextBatch text)
    {
        using var scope = TensorScope.Enter();
        var s = x.Shape;                                                   // [B, C, H, W]
        var h = x.Flatten(2).Transpose(1, 2);                              // [B, HW, C]
        if (_position is not null)
        {
            h = _position.Add(h, (int)s[2], (int)s[3]);                    // [B, HW, C]
        }
        if (_self is not null)
        {
            var n = _selfNorm!.Forward(h);
            h = h + _self.Forward(n, n, n);                                // [B, HW, C]
        }
        h = h + _cross.Forward(_crossNorm.Forward(h), text.Tokens, text.Tokens, text.PaddingMask);
        if (_fc1 is not null)
        {
            h = h + _fc2!.Forward(F.Gelu(_fc1.Forward(_mlpNorm!.Forward(h))));
        }
        return scope.MoveToOuter(h.Transpose(1, 2).Reshape(s));           // [B, C, H, W]
    }
}
