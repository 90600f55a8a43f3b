using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>How a LoRA adapter's A matrix starts (B always starts at zero).</summary>
public enum LoraInit
{
    /// <summary>A ~ U(±1/sqrt(in)) (PyTorch's Linear default; FlowTune's toy-model runs).</summary>
    Uniform,

    /// <summary>A ~ N(0, 1/rank²) (PEFT's <c>init_lora_weights="gaussian"</c>, as Flow-GRPO trains SD3.5).</summary>
    Gaussian,
}

/// <summary>
/// A LoRA adapter (Hu et al. 2021): Δy = (alpha / rank)·x Aᵀ Bᵀ with A [rank, in] drawn as <see cref="LoraInit"/> says
/// and B [out, rank] = 0, so attaching it leaves the layer unchanged. Parameter names: <c>lora.A</c>, <c>lora.B</c>.
/// </summary>
public sealed class LoraAdapter : Module
{
    private readonly double _scale;

    /// <summary>Creates the adapter.</summary>
    public LoraAdapter(long inFeatures, long outFeatures, int rank, double alpha, Generator generator, LoraInit init = LoraInit.Uniform)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        _scale = alpha / rank;
        A = RegisterParameter("A", init == LoraInit.Gaussian
            ? Init.Normal([rank, inFeatures], 1.0 / rank, generator)
            : Init.Uniform([rank, inFeatures], 1.0 / Math.Sqrt(inFeatures), generator));
        B = RegisterParameter("B", Init.Zeros([outFeatures, rank]));
    }

    /// <summary>alpha / rank.</summary>
    public double Scale => _scale;

    /// <summary>[rank, in].</summary>
    public Tensor A { get; }

    /// <summary>[out, rank], zero-initialised.</summary>
    public Tensor B { get; }

    /// <summary>[.., in] → the update [.., out].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(F.Linear(F.Linear(x, A), B) * _scale);
    }
}
