using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>
/// Encoded prompts for one batch: per-token embeddings, a padding mask and a pooled vector.
/// Owns its tensors (dispose it, or let the enclosing <see cref="TensorScope"/> do it).
/// </summary>
/// <param name="Tokens">[B, L, D] per-token embeddings.</param>
/// <param name="PaddingMask">[B, L] bool, true where a position is padding (never attended to).</param>
/// <param name="Pooled">[B, D] one vector per prompt.</param>
public sealed record TextBatch(Tensor Tokens, Tensor PaddingMask, Tensor Pooled) : IDisposable
{
    /// <summary>Batch size.</summary>
    public long Count => Tokens.Size(0);

    /// <summary>Rows <paramref name="index"/> (int64 [N]) of every tensor, e.g. to repeat prompts for a group.</summary>
    public TextBatch Select(Tensor index) => new(Tokens.IndexSelect(0, index), PaddingMask.IndexSelect(0, index), Pooled.IndexSelect(0, index));

    /// <summary>Rows start … start + length − 1 of every tensor (views, no copy), e.g. one slice of a split batch.</summary>
    public TextBatch Narrow(long start, long length) =>
        new(Tokens.Narrow(0, start, length), PaddingMask.Narrow(0, start, length), Pooled.Narrow(0, start, length));

    /// <summary>The two batches one after the other along the batch dimension (CFG: conditional + unconditional).</summary>
    public TextBatch Concat(TextBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Tensor.Cat([Tokens, other.Tokens]), Tensor.Cat([PaddingMask, other.PaddingMask]), Tensor.Cat([Pooled, other.Pooled]));
    }

    /// <summary>Detached copies (no autograd history), e.g. to cache a frozen encoder's output.</summary>
    public TextBatch Detach() => new(Tokens.Detach(), PaddingMask.Detach(), Pooled.Detach());

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Tokens.Dispose();
        PaddingMask.Dispose();
        Pooled.Dispose();
    }
}
