using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>A lookup table of learned vectors, initialised N(0, std²) (PyTorch uses std 1).</summary>
public sealed class Embedding : Module
{
    /// <summary>Creates a table of <paramref name="count"/> vectors of width <paramref name="dim"/>.</summary>
    public Embedding(long count, long dim, Generator generator, double std = 1.0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Weight = RegisterParameter("weight", Init.Normal([count, dim], std, generator));
    }

    /// <summary>[count, dim].</summary>
    public Tensor Weight { get; }

    /// <summary>int64 ids [..] → [.., dim].</summary>
    public Tensor Forward(Tensor ids) => F.Embedding(Weight, ids);
}
