using FlowTune.Models;
using FlowTune.Torch;

namespace FlowTune.Sampling;

/// <summary>
/// Classifier-free guidance: v = v_uncond + g·(v_cond − v_uncond), the unconditional branch using the empty prompt.
/// With g = 1 only the conditional branch is evaluated; otherwise both run in one batch of 2B.
/// </summary>
public sealed class GuidedVelocity : IDisposable
{
    private readonly IVelocityModel _model;
    private readonly TextBatch _conditional;
    private readonly TextBatch? _both;

    /// <summary>Encodes the prompts (and, for g ≠ 1, as many empty prompts) once for a whole trajectory.</summary>
    public GuidedVelocity(IVelocityModel model, IReadOnlyList<string> prompts, double guidanceScale)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        _model = model;
        Scale = guidanceScale;
        using var scope = TensorScope.Enter();
        _conditional = model.EncodeText(prompts);
        if (guidanceScale != 1.0)
        {
            using var unconditional = model.EncodeText(Enumerable.Repeat("", prompts.Count).ToList());
            _both = _conditional.Concat(unconditional);
            scope.MoveToOuter([_both.Tokens, _both.PaddingMask, _both.Pooled]);
        }
        scope.MoveToOuter([_conditional.Tokens, _conditional.PaddingMask, _conditional.Pooled]);
    }

    /// <summary>The encoded prompts (the conditional branch), e.g. for an objective that evaluates the network directly.</summary>
    public TextBatch Conditional => _conditional;

    /// <summary>The guidance scale g.</summary>
    public double Scale { get; }

    /// <summary>
    /// Guided velocity at x [B, C, H, W] and time t (one value for the whole batch). <paramref name="model"/>
    /// evaluates another network with the same (frozen) text encoder, e.g. the RL reference policy.
    /// </summary>
    public Tensor At(Tensor x, double t, IVelocityModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var net = model ?? _model;
        var b = x.Size(0);
        var slices = RowSplit.Slices(b);
        if (slices == 1)
        {
            return Evaluate(net, x, t, _conditional, _both);
        }
        return RowSplit.Map(b, slices, (start, length) =>
        {
            var conditional = _conditional.Narrow(start, length);
            var both = _both is null ? null : conditional.Concat(_both.Narrow(b + start, length));
            return Evaluate(net, x.Narrow(0, start, length), t, conditional, both);
        });
    }

    /// <summary>The guided velocity of the whole of x with the given encodings (both = conditional then unconditional).</summary>
    private Tensor Evaluate(IVelocityModel net, Tensor x, double t, TextBatch conditional, TextBatch? both)
    {
        using var scope = TensorScope.Enter();
        var b = x.Size(0);
        if (both is null)
        {
            return scope.MoveToOuter(net.Velocity(x, Tensor.Full([b], t), conditional));
        }
        var v = net.Velocity(Tensor.Cat([x, x]), Tensor.Full([2 * b], t), both);    // [2B, C, H, W]
        var parts = v.Chunk(2, 0);                                                   // cond, uncond
        return scope.MoveToOuter(parts[1] + (parts[0] - parts[1]) * Scale);
    }

    /// <summary>Frees the encoded prompts.</summary>
    public void Dispose()
    {
        _conditional.Dispose();
        _both?.Dispose();
    }
}
