using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>Attention</c> as SD3 configures it. Joint (with <c>add_*</c> projections, processor
/// <c>JointAttnProcessor2_0</c>): image queries/keys/values and text ones are projected separately, optionally
/// RMS-normalised per head, concatenated image-first along the sequence, attended jointly, split back, and
/// projected out by <c>to_out.0</c> and <c>to_add_out</c> (absent in a context-pre-only block, whose text output
/// is dropped). Image-only (SD3.5's <c>attn2</c>, <c>AttnProcessor2_0</c>): self-attention over image tokens.
/// </summary>
public sealed class JointAttention : Module
{
    private readonly int _heads;
    private readonly Linear _q;
    private readonly Linear _k;
    private readonly Linear _v;
    private readonly Linear _out;
    private readonly RmsNorm? _normQ;
    private readonly RmsNorm? _normK;
    private readonly Linear? _addQ;
    private readonly Linear? _addK;
    private readonly Linear? _addV;
    private readonly Linear? _addOut;
    private readonly RmsNorm? _normAddedQ;
    private readonly RmsNorm? _normAddedK;

    /// <summary>
    /// Creates the attention of width <paramref name="width"/> = heads × head width. <paramref name="joint"/> adds the
    /// text projections; <paramref name="textOutput"/> (joint only) adds <c>to_add_out</c>.
    /// </summary>
    public JointAttention(int width, int heads, bool qkRmsNorm, bool joint, bool textOutput, Generator generator)
    {
        _heads = heads;
        var headDim = width / heads;
        _q = RegisterModule("to_q", new Linear(width, width, generator));
        _k = RegisterModule("to_k", new Linear(width, width, generator));
        _v = RegisterModule("to_v", new Linear(width, width, generator));
        if (qkRmsNorm)
        {
            _normQ = RegisterModule("norm_q", new RmsNorm(headDim, 1e-6));
            _normK = RegisterModule("norm_k", new RmsNorm(headDim, 1e-6));
        }
        var toOut = RegisterModule("to_out", new ModuleGroup());
        _out = toOut.Add("0", new Linear(width, width, generator));
        if (joint)
        {
            _addQ = RegisterModule("add_q_proj", new Linear(width, width, generator));
            _addK = RegisterModule("add_k_proj", new Linear(width, width, generator));
            _addV = RegisterModule("add_v_proj", new Linear(width, width, generator));
            if (textOutput)
            {
                _addOut = RegisterModule("to_add_out", new Linear(width, width, generator));
            }
            if (qkRmsNorm)
            {
                _normAddedQ = RegisterModule("norm_added_q", new RmsNorm(headDim, 1e-6));
                _normAddedK = RegisterModule("norm_added_k", new RmsNorm(headDim, 1e-6));
            }
        }
    }

    /// <summary>Image-only self-attention: image [B, N, D] → [B, N, D].</summary>
    public Tensor Forward(Tensor image)
    {
        using var scope = TensorScope.Enter();
        var (q, k, v) = Project(image, _q, _k, _v, _normQ, _normK); // 3 × [B, H, N, Dh]
        var o = F.MergeHeads(F.ScaledDotProductAttention(q, k, v));      // [B, N, D]
        return scope.MoveToOuter(_out.Forward(o));
    }

    /// <summary>Joint attention: image [B, N, D], text [B, L, D] → (image [B, N, D], text [B, L, D] or null when pre-only).</summary>
    public (Tensor Image, Tensor? Text) Forward(Tensor image, Tensor text)
    {
        if (_addQ is null)
        {
            throw new InvalidOperationException("this attention has no text projections");
        }
        using var scope = TensorScope.Enter();
        var (qi, ki, vi) = Project(image, _q, _k, _v, _normQ, _normK);                  // 3 × [B, H, N, Dh]
        var (qt, kt, vt) = Project(text, _addQ, _addK!, _addV!, _normAddedQ, _normAddedK); // 3 × [B, H, L, Dh]
        var o = F.ScaledDotProductAttention(Tensor.Cat([qi, qt], 2), Tensor.Cat([ki, kt], 2), Tensor.Cat([vi, vt], 2)); // [B, H, N+L, Dh]
        var merged = F.MergeHeads(o);                                                         // [B, N+L, D]
        var n = image.Size(1);
        var imageOut = _out.Forward(merged.Narrow(1, 0, n));                             // [B, N, D]
        var textOut = _addOut?.Forward(merged.Narrow(1, n, merged.Size(1) - n));        // [B, L, D]
        scope.MoveToOuter(imageOut);
        if (textOut is not null)
        {
            scope.MoveToOuter(textOut);
        }
        return (imageOut, textOut);
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x, Linear q, Linear k, Linear v, RmsNorm? normQ, RmsNorm? normK)
    {
        var qh = Heads(q.Forward(x));
        var kh = Heads(k.Forward(x));
        if (normQ is not null)
        {
            qh = normQ.Forward(qh);
        }
        if (normK is not null)
        {
            kh = normK.Forward(kh);
        }
        return (qh, kh, Heads(v.Forward(x)));
    }

    private Tensor Heads(Tensor x) => F.SplitHeads(x, _heads); // [B, T, D] → [B, H, T, Dh]
}
