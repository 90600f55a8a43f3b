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

    /// <summary>The low-rank adapter, once attached.</summary>
    public LoraAdapter? Lora { get; private set; }

    /// <summary>Whether the adapter (if any) contributes; off gives the base layer (the RL reference policy).</summary>
    public bool LoraEnabled { get; set; } = true;

    /// <summary>Attaches a LoRA adapter (B zero-initialised, so the layer's output is unchanged at first).</summary>
    public LoraAdapter AttachLora(int rank, double alpha, Generator generator, LoraInit init = LoraInit.Uniform)
    {
        if (Lora is not null)
        {
            throw new InvalidOperationException("a LoRA adapter is already attached");
        }
        Lora = RegisterModule("lora", new LoraAdapter(InFeatures, OutFeatures, rank, alpha, generator, init));
        return Lora;
    }

    /// <summary>[.., in] → [.., out].</summary>
    public Tensor Forward(Tensor x)
    {
        if (Lora is null || !LoraEnabled)
        {
            return F.Linear(x, Weight, Bias);
        }
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(F.Linear(x, Weight, Bias) + Lora.Forward(x));
    }
}
