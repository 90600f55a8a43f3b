using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>y = x Wᵀ + b. Weight [out, in]; PyTorch's default init U(±1/sqrt(in)) unless zero-init is asked.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer; <paramref name="zeroInit"/> starts weight and bias at exactly zero.</summary>
    public Linear(long inFeatures, long outFeatures, Generator generator, bool bias = true, bool zeroInit = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var bound = 1.0 / Math.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", zeroInit ? Init.Zeros([outFeatures, inFeatures]) : Init.Uniform([outFeatures, inFeatures], bound, generator));
        if (bias)
        {
            Bias = RegisterParameter("bias", zeroInit ? Init.Zeros([outFeatures]) : Init.Uniform([outFeatures], bound, generator));
        }
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>[.., in] → [.., out].</summary>
    public Tensor Forward(Tensor x) => F.Linear(x, Weight, Bias);
}
