using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// diffusers' VAE <c>Decoder</c>: <c>conv_in</c>, the mid block, then per level from the lowest resolution
/// <c>up_blocks.i</c> (layers_per_block + 1 residual blocks, then — except at the last level —
/// <c>upsamplers.0</c>: nearest ×2 and a 3×3 conv); GroupNorm, SiLU and <c>conv_out</c>.
/// </summary>
public sealed class VaeDecoder : Module
{
    private readonly Conv2d _convIn;
    private readonly VaeMidBlock _mid;
    private readonly List<(List<VaeResnetBlock> Resnets, Conv2d? Up)> _levels = [];
    private readonly GroupNorm _normOut;
    private readonly Conv2d _convOut;

    /// <summary>Creates the decoder for <paramref name="config"/>.</summary>
    public VaeDecoder(VaeConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        var reversed = config.BlockOutChannels.Reverse().ToList();
        var g = config.NormNumGroups;
        _convIn = RegisterModule("conv_in", new Conv2d(config.LatentChannels, reversed[0], 3, generator));
        _mid = RegisterModule("mid_block", new VaeMidBlock(reversed[0], g, config.MidBlockAddAttention, generator));
        var blocks = RegisterModule("up_blocks", new ModuleGroup());
        var previous = reversed[0];
        for (var i = 0; i < reversed.Count; i++)
        {
            var block = blocks.Add(VaeEncoder.Index(i), new ModuleGroup());
            var resnets = block.Add("resnets", new ModuleGroup());
            var list = new List<VaeResnetBlock>();
            for (var j = 0; j <= config.LayersPerBlock; j++)
            {
                list.Add(resnets.Add(VaeEncoder.Index(j), new VaeResnetBlock(j == 0 ? previous : reversed[i], reversed[i], g, generator)));
            }
            Conv2d? up = null;
            if (i < reversed.Count - 1)
            {
                var samplers = block.Add("upsamplers", new ModuleGroup());
                up = samplers.Add("0", new ModuleGroup()).Add("conv", new Conv2d(reversed[i], reversed[i], 3, generator));
            }
            _levels.Add((list, up));
            previous = reversed[i];
        }
        _normOut = RegisterModule("conv_norm_out", new GroupNorm(g, reversed[^1], 1e-6));
        _convOut = RegisterModule("conv_out", new Conv2d(reversed[^1], config.OutChannels, 3, generator));
    }

    /// <summary>latent [B, L, h, w] → image [B, C, h·2^(levels−1), w·2^(levels−1)].</summary>
    public Tensor Forward(Tensor z)
    {
        using var scope = TensorScope.Enter();
        var h = _mid.Forward(_convIn.Forward(z));
        foreach (var (resnets, up) in _levels)
        {
            foreach (var r in resnets)
            {
                h = r.Forward(h);
            }
            if (up is not null)
            {
                h = up.Forward(F.UpsampleNearest(h, 2));
            }
        }
        return scope.MoveToOuter(_convOut.Forward(F.Silu(_normOut.Forward(h))));
    }
}
