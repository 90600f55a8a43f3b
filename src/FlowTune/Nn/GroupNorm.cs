using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>Group normalisation over channel groups with a learned per-channel scale and shift.</summary>
public sealed class GroupNorm : Module
{
    private readonly long _groups;
    private readonly double _eps;

    /// <summary>Creates the layer; <paramref name="channels"/> must divide into <paramref name="groups"/>.</summary>
    public GroupNorm(long groups, long channels, double eps = 1e-5)
    {
        if (groups <= 0 || channels % groups != 0)
        {
            throw new ArgumentException($"channels ({channels}) must be a positive multiple of groups ({groups})");
        }
        _groups = groups;
        _eps = eps;
        Weight = RegisterParameter("weight", Init.Ones([channels]));
        Bias = RegisterParameter("bias", Init.Zeros([channels]));
    }

    /// <summary>[C] scale.</summary>
    public Tensor Weight { get; }

    /// <summary>[C] shift.</summary>
    public Tensor Bias { get; }

    /// <summary>[B, C, ...] → [B, C, ...].</summary>
    public Tensor Forward(Tensor x) => F.GroupNorm(x, _groups, Weight, Bias, _eps);
}
