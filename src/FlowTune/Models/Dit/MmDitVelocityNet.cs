using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Dit;

/// <summary>
/// MMDiT-style velocity network: p×p patches → tokens (+ learned positions), text tokens projected to the same
/// width, joint blocks with adaLN-zero modulation from time + pooled text, and a zero-initialised final layer.
/// </summary>
public sealed class MmDitVelocityNet : Module, IVelocityNet
{
    private readonly MmDitConfig _config;
    private readonly int _channels;
    private readonly Conv2d _patchify;
    private readonly Tensor _positions;
    private readonly Linear _contextEmbedder;
    private readonly TimestepEmbedding _time;
    private readonly Linear _pooledProjection;
    private readonly List<JointBlock> _blocks = [];
    private readonly Linear _finalAdaLn;
    private readonly Linear _finalLinear;

    /// <summary>Creates the network for [channels, size, size] images and text of width <paramref name="textWidth"/>.</summary>
    public MmDitVelocityNet(MmDitConfig config, int channels, int imageSize, int textWidth, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (imageSize % config.PatchSize != 0)
        {
            throw new ArgumentException($"image size {imageSize} is not a multiple of the patch size {config.PatchSize}");
        }
        _config = config;
        _channels = channels;
        var d = config.Width;
        var p = config.PatchSize;
        var tokens = imageSize / p * (imageSize / p);
        _patchify = RegisterModule("patch_embed", new Conv2d(channels, d, p, generator, stride: p, padding: 0));
        _positions = RegisterParameter("pos_embed", Init.Normal([tokens, d], 0.02, generator));
        _contextEmbedder = RegisterModule("context_embed", new Linear(textWidth, d, generator));
        _time = RegisterModule("time_embed", new TimestepEmbedding(256, d, generator));
        _pooledProjection = RegisterModule("pooled_proj", new Linear(textWidth, d, generator));
        for (var k = 0; k < config.Depth; k++)
        {
            _blocks.Add(RegisterModule($"block{k}", new JointBlock(d, config.Heads, config.MlpRatio, generator, updateText: k < config.Depth - 1)));
        }
        _finalAdaLn = RegisterModule("final_adaln", new Linear(d, 2 * d, generator, zeroInit: true));
        _finalLinear = RegisterModule("final_linear", new Linear(d, p * p * channels, generator, zeroInit: true));
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor x, Tensor t, TextBatch text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var scope = TensorScope.Enter();
        var s = x.Shape;                                                              // [B, C, H, W]
        var p = _config.PatchSize;
        var img = _patchify.Forward(x).Flatten(2).Transpose(1, 2) + _positions;     // [B, N, D]
        var txt = _contextEmbedder.Forward(text.Tokens);                             // [B, L, D]
        var c = F.Silu(_time.Forward(t) + _pooledProjection.Forward(text.Pooled));  // [B, D]
        foreach (var block in _blocks)
        {
            (img, txt) = block.Forward(img, txt, text.PaddingMask, c);
        }
        var mod = _finalAdaLn.Forward(c).Unsqueeze(1).Chunk(2, -1);                 // shift, scale: [B, 1, D]
        var patches = _finalLinear.Forward(JointBlock.Modulate(img, mod[0], mod[1])); // [B, N, p·p·C]
        long gh = s[2] / p, gw = s[3] / p;
        var v = patches.View(s[0], gh, gw, p, p, _channels)                          // [B, gh, gw, p, p, C]
            .Permute(0, 5, 1, 3, 2, 4)                                                // [B, C, gh, p, gw, p]
            .Reshape(s[0], _channels, s[2], s[3]);                                    // [B, C, H, W]
        return scope.MoveToOuter(v);
    }
}
