using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.UNet;

/// <summary>
/// The convolutional velocity network (SD1.5 family, scaled for a CPU; see <see cref="UNetConfig"/>). Time and
/// pooled text form one embedding that modulates every residual block; text tokens enter by cross-attention.
/// The output convolution is zero-initialised.
/// </summary>
public sealed class UNetVelocityNet : Module, IVelocityNet
{
    private readonly UNetConfig _config;
    private readonly TimestepEmbedding _time;
    private readonly Linear _textProjection;
    private readonly Conv2d _inConv;
    private readonly List<ResBlock> _downBlocks = [];
    private readonly List<SpatialAttention?> _downAttention = [];
    private readonly List<Conv2d> _downsample = [];
    private readonly ResBlock _midBlock;
    private readonly SpatialAttention _midAttention;
    private readonly List<Conv2d> _upsample = [];
    private readonly List<ResBlock> _upBlocks = [];
    private readonly List<SpatialAttention?> _upAttention = [];
    private readonly GroupNorm _outNorm;
    private readonly Conv2d _outConv;

    /// <summary>Creates the network for images with <paramref name="imageChannels"/> channels and text of width <paramref name="textWidth"/>.</summary>
    public UNetVelocityNet(UNetConfig config, int imageChannels, int textWidth, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        var c = config.Channels;
        var e = config.EmbeddingWidth;
        _time = RegisterModule("time_embed", new TimestepEmbedding(e, e, generator));
        _textProjection = RegisterModule("text_proj", new Linear(textWidth, e, generator));
        _inConv = RegisterModule("in_conv", new Conv2d(imageChannels, c[0], 3, generator));
        for (var i = 0; i < c.Length - 1; i++)
        {
            _downBlocks.Add(RegisterModule($"down{i}_res", new ResBlock(c[i], c[i], e, config.Groups, generator)));
            _downAttention.Add(config.CrossAttentionLevels.Contains(i)
                ? RegisterModule($"down{i}_attn", new SpatialAttention(c[i], textWidth, config.Heads, false, false, generator, config.PositionFeatures))
                : null);
            _downsample.Add(RegisterModule($"down{i}_conv", new Conv2d(c[i], c[i + 1], 3, generator, stride: 2, padding: 1)));
        }
        var last = c[^1];
        _midBlock = RegisterModule("mid_res", new ResBlock(last, last, e, config.Groups, generator));
        _midAttention = RegisterModule("mid_attn", new SpatialAttention(last, textWidth, config.Heads, true, true, generator, config.PositionFeatures));
        for (var i = c.Length - 2; i >= 0; i--)
        {
            _upsample.Add(RegisterModule($"up{i}_conv", new Conv2d(c[i + 1], c[i], 3, generator)));
            _upBlocks.Add(RegisterModule($"up{i}_res", new ResBlock(c[i], c[i], e, config.Groups, generator)));
            _upAttention.Add(config.CrossAttentionLevels.Contains(i)
                ? RegisterModule($"up{i}_attn", new SpatialAttention(c[i], textWidth, config.Heads, false, false, generator, config.PositionFeatures))
                : null);
        }
        _outNorm = RegisterModule("out_norm", new GroupNorm(config.Groups, c[0]));
        _outConv = RegisterModule("out_conv", new Conv2d(c[0], imageChannels, 3, generator, zeroInit: true));
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor x, Tensor t, TextBatch text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var scope = TensorScope.Enter();
        var emb = F.Silu(_time.Forward(t) + _textProjection.Forward(text.Pooled)); // [B, E]
        var h = _inConv.Forward(x);                                                  // [B, C0, H, W]
        var skips = new List<Tensor>();
        for (var i = 0; i < _downBlocks.Count; i++)
        {
            h = _downBlocks[i].Forward(h, emb);                                      // [B, Ci, Hi, Wi]
            if (_downAttention[i] is { } attention)
            {
                h = attention.Forward(h, text);
            }
            skips.Add(h);
            h = _downsample[i].Forward(h);                                           // [B, Ci+1, Hi/2, Wi/2]
        }
        h = _midBlock.Forward(h, emb);                                               // [B, Cn, Hn, Wn]
        h = _midAttention.Forward(h, text);
        for (var k = 0; k < _upBlocks.Count; k++)
        {
            var i = _upBlocks.Count - 1 - k;                                         // level index
            h = _upsample[k].Forward(F.UpsampleNearest(h, 2)) + skips[i];            // [B, Ci, Hi, Wi]
            h = _upBlocks[k].Forward(h, emb);
            if (_upAttention[k] is { } attention)
            {
                h = attention.Forward(h, text);
            }
        }
        var v = _outConv.Forward(F.Silu(_outNorm.Forward(h)));                       // [B, C, H, W]
        return scope.MoveToOuter(v);
    }
}
