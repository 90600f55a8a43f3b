using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>
/// Root-mean-square normalisation over the last dimension: x · rsqrt(mean(x²) + eps) · weight, with the mean
/// taken in float32 (as diffusers' <c>RMSNorm</c>, which SD3.5 uses for its query/key norms). No mean subtraction,
/// no bias.
/// </summary>
public sealed class RmsNorm : Module
{
    private readonly double _eps;

    /// <summary>Creates the norm over a last dimension of <paramref name="dim"/> (weight = 1).</summary>
    public RmsNorm(long dim, double eps, bool elementwiseAffine = true)
    {
        _eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Init.Ones([dim]));
        }
    }

    /// <summary>[dim] scale, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>[.., dim] → [.., dim].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var variance = x.To(DType.Float32).Square().Mean(-1, keepDim: true); // [.., 1]
        var y = x * (variance + _eps).Rsqrt();                                 // [.., dim]
        y = Weight is null ? y.To(x.DType) : (Weight.DType is DType.Float16 or DType.BFloat16 ? y.To(Weight.DType) : y) * Weight;
        return scope.MoveToOuter(y);
    }
}
