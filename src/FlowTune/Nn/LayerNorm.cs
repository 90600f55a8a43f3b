using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>Layer normalisation over the last dimension, optionally with a learned scale and shift.</summary>
public sealed class LayerNorm : Module
{
    private readonly long _dim;
    private readonly double _eps;

    /// <summary>Creates the layer (affine: weight = 1, bias = 0).</summary>
    public LayerNorm(long dim, double eps = 1e-5, bool elementwiseAffine = true)
    {
        _dim = dim;
        _eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Init.Ones([dim]));
            Bias = RegisterParameter("bias", Init.Zeros([dim]));
        }
    }

    /// <summary>[dim] scale, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>[dim] shift, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>[.., dim] → [.., dim].</summary>
    public Tensor Forward(Tensor x) => F.LayerNorm(x, [_dim], Weight, Bias, _eps);
}
