using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// diffusers' VAE <c>Encoder</c>: <c>conv_in</c>; per level <c>down_blocks.i</c> (residual blocks, then — except at
/// the last level — <c>downsamplers.0</c>: pad right and bottom by one, 3×3 conv with stride 2); the mid block
/// (residual, attention, residual); GroupNorm, SiLU and <c>conv_out</c> to 2 × latent channels (mean, log-variance).
/// </summary>
public sealed class VaeEncoder : Module
{
    private readonly Conv2d _convIn;
    private readonly List<(List<VaeResnetBlock> Resnets, Conv2d? Down)> _levels = [];
    private readonly VaeMidBlock _mid;
    private readonly GroupNorm _normOut;
    private readonly Conv2d _convOut;

    /// <summary>Creates the encoder for <paramref name="config"/>.</summary>
    public VaeEncoder(VaeConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        var channels = config.BlockOutChannels;
        var g = config.NormNumGroups;
        _convIn = RegisterModule("conv_in", new Conv2d(config.InChannels, channels[0], 3, generator));
        var blocks = RegisterModule("down_blocks", new ModuleGroup());
        var previous = channels[0];
        for (var i = 0; i < channels.Count; i++)
        {
            var block = blocks.Add(Index(i), new ModuleGroup());
            var resnets = block.Add("resnets", new ModuleGroup());
            var list = new List<VaeResnetBlock>();
            for (var j = 0; j < config.LayersPerBlock; j++)
            {
                list.Add(resnets.Add(Index(j), new VaeResnetBlock(j == 0 ? previous : channels[i], channels[i], g, generator)));
            }
            Conv2d? down = null;
            if (i < channels.Count - 1)
            {
                var samplers = block.Add("downsamplers", new ModuleGroup());
                var conv = samplers.Add("0", new ModuleGroup());
                down = conv.Add("conv", new Conv2d(channels[i], channels[i], 3, generator, stride: 2, padding: 0));
            }
            _levels.Add((list, down));
            previous = channels[i];
        }
        _mid = RegisterModule("mid_block", new VaeMidBlock(channels[^1], g, config.MidBlockAddAttention, generator));
        _normOut = RegisterModule("conv_norm_out", new GroupNorm(g, channels[^1], 1e-6));
        _convOut = RegisterModule("conv_out", new Conv2d(channels[^1], 2L * config.LatentChannels, 3, generator));
    }

    /// <summary>image [B, C, H, W] → moments [B, 2·latent, H/2^(levels−1), W/2^(levels−1)].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var h = _convIn.Forward(x);
        foreach (var (resnets, down) in _levels)
        {
            foreach (var r in resnets)
            {
                h = r.Forward(h);
            }
            if (down is not null)
            {
                h = down.Forward(h.Pad([0, 1, 0, 1]));  // right and bottom only, as diffusers' Downsample2D(padding=0)
            }
        }
        h = _mid.Forward(h);
        return scope.MoveToOuter(_convOut.Forward(F.Silu(_normOut.Forward(h))));
    }

    internal static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
