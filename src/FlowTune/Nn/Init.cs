using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>Parameter initialisers (all seeded through an explicit generator).</summary>
public static class Init
{
    /// <summary>U(-bound, bound) — PyTorch's default for Linear/Conv weights and biases uses bound = 1/sqrt(fan_in).</summary>
    public static Tensor Uniform(long[] shape, double bound, Generator generator) =>
        Tensor.Empty(shape).Uniform_(generator, -bound, bound);

    /// <summary>N(0, std²).</summary>
    public static Tensor Normal(long[] shape, double std, Generator generator) =>
        Tensor.Empty(shape).Normal_(generator, 0, std);

    /// <summary>All zeros — explicit zero-init (adaLN-zero, output projections).</summary>
    public static Tensor Zeros(long[] shape) => Tensor.Zeros(shape);

    /// <summary>All ones (norm scales).</summary>
    public static Tensor Ones(long[] shape) => Tensor.Ones(shape);
}
