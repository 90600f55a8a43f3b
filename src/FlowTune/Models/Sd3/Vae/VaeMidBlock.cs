using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>diffusers' <c>UNetMidBlock2D</c> without time embedding: <c>resnets.0</c>, <c>attentions.0</c> (optional), <c>resnets.1</c>.</summary>
public sealed class VaeMidBlock : Module
{
    private readonly VaeResnetBlock _first;
    private readonly VaeAttention? _attention;
    private readonly VaeResnetBlock _second;

    /// <summary>Creates the block over <paramref name="channels"/> channels.</summary>
    public VaeMidBlock(int channels, int groups, bool attention, Generator generator)
    {
        var resnets = RegisterModule("resnets", new ModuleGroup());
        _first = resnets.Add("0", new VaeResnetBlock(channels, channels, groups, generator));
        _second = resnets.Add("1", new VaeResnetBlock(channels, channels, groups, generator));
        if (attention)
        {
            _attention = RegisterModule("attentions", new ModuleGroup()).Add("0", new VaeAttention(channels, groups, generator));
        }
    }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var h = _first.Forward(x);
        if (_attention is not null)
        {
            h = _attention.Forward(h);
        }
        return scope.MoveToOuter(_second.Forward(h));
    }
}
