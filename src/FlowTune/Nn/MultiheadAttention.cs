using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>
/// Multi-head attention with separate q/k/v/out projections, composed from matmul and softmax.
/// Keys and values may come from another sequence of width <c>kvDim</c> (cross-attention).
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly long _heads;

    /// <summary>Creates the layer; <paramref name="dim"/> must divide into <paramref name="heads"/>.</summary>
    public MultiheadAttention(long dim, long heads, Generator generator, long? kvDim = null, bool zeroInitOutput = false)
    {
        if (heads <= 0 || dim % heads != 0)
        {
            throw new ArgumentException($"dim ({dim}) must be a positive multiple of heads ({heads})");
        }
        _heads = heads;
        var kv = kvDim ?? dim;
        QProj = RegisterModule("q_proj", new Linear(dim, dim, generator));
        KProj = RegisterModule("k_proj", new Linear(kv, dim, generator));
        VProj = RegisterModule("v_proj", new Linear(kv, dim, generator));
        OutProj = RegisterModule("out_proj", new Linear(dim, dim, generator, zeroInit: zeroInitOutput));
    }

    /// <summary>Query projection.</summary>
    public Linear QProj { get; }

    /// <summary>Key projection.</summary>
    public Linear KProj { get; }

    /// <summary>Value projection.</summary>
    public Linear VProj { get; }

    /// <summary>Output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>
    /// query [B, Tq, D], key/value [B, Tk, Dkv] → [B, Tq, D]. <paramref name="keyPaddingMask"/> is bool [B, Tk],
    /// true where a key must be ignored.
    /// </summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null)
    {
        using var scope = TensorScope.Enter();
        var q = SplitHeads(QProj.Forward(query));   // [B, H, Tq, Dh]
        var k = SplitHeads(KProj.Forward(key));     // [B, H, Tk, Dh]
        var v = SplitHeads(VProj.Forward(value));   // [B, H, Tk, Dh]
        Tensor? mask = null;
        if (keyPaddingMask is not null)
        {
            var s = keyPaddingMask.Shape;
            using var zeros = Tensor.Zeros([s[0], 1, 1, s[1]], q.DType, q.Device);
            mask = zeros.MaskedFill(keyPaddingMask.View(s[0], 1, 1, s[1]), double.NegativeInfinity); // [B, 1, 1, Tk]
        }
        var o = F.ScaledDotProductAttention(q, k, v, mask); // [B, H, Tq, Dh]
        return scope.MoveToOuter(OutProj.Forward(F.MergeHeads(o))); // [B, Tq, D]
    }

    /// <summary>Self-attention: query = key = value.</summary>
    public Tensor Forward(Tensor x) => Forward(x, x, x);

    private Tensor SplitHeads(Tensor x) => F.SplitHeads(x, _heads); // [B, T, D] → [B, H, T, Dh]
}
