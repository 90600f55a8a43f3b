using FlowTune.Torch;

namespace FlowTune.Rl.Objectives;

/// <summary>How the KL to the reference policy is measured per step (docs/ALGORITHMS.md §5.4).</summary>
public enum KlKind
{
    /// <summary>The reference code's: mean_dims((μθ − μref)²) / (2σ_t²).</summary>
    Reference,
    /// <summary>The exact KL of the two Gaussians of the step: mean_dims((μθ − μref)²) / (2σ_t²·(−dt)).</summary>
    Exact,
}

/// <summary>The per-step GRPO losses and their statistics.</summary>
public static class PolicyLoss
{
    /// <summary>
    /// PPO-clip per sample: max(−A·ratio, −A·clamp(ratio, 1 − ε, 1 + ε)) with ratio = exp(logp_new − logp_old);
    /// the policy loss is its mean over the trained samples. All inputs [N]; returns the terms [N] and the ratio [N].
    /// </summary>
    public static (Tensor Terms, Tensor Ratio) Clipped(Tensor logpNew, Tensor logpOld, Tensor advantages, double clipRange)
    {
        ArgumentNullException.ThrowIfNull(logpNew);
        using var scope = TensorScope.Enter();
        var ratio = (logpNew - logpOld).Exp();                                        // [N]
        var unclipped = advantages.Neg() * ratio;
        var clipped = advantages.Neg() * ratio.Clamp(1 - clipRange, 1 + clipRange);
        var terms = unclipped.Maximum(clipped);                                        // [N]
        scope.MoveToOuter([terms, ratio]);
        return (terms, ratio);
    }

    /// <summary>
    /// KL term per sample [N] of one step: mean over non-batch dims of (μθ − μref)², divided by 2σ_t² (reference)
    /// or by 2σ_t²·(−dt) (exact Gaussian KL). <paramref name="sigma"/> and <paramref name="minusDt"/> are [N].
    /// </summary>
    public static Tensor Kl(Tensor meanPolicy, Tensor meanReference, Tensor sigma, Tensor minusDt, KlKind kind)
    {
        ArgumentNullException.ThrowIfNull(meanPolicy);
        using var scope = TensorScope.Enter();
        var dims = Enumerable.Range(1, meanPolicy.Dim - 1).Select(d => (long)d).ToArray();
        var sq = (meanPolicy - meanReference).Square().Mean(dims);                    // [N]
        var denominator = sigma.Square() * 2.0;
        if (kind == KlKind.Exact)
        {
            denominator = denominator * minusDt;
        }
        return scope.MoveToOuter(sq / denominator.Clamp(min: 1e-20));
    }

    /// <summary>0.5·mean((logp_new − logp_old)²), the reference code's approx_kl.</summary>
    public static double ApproxKl(Tensor logpNew, Tensor logpOld)
    {
        ArgumentNullException.ThrowIfNull(logpNew);
        using var scope = TensorScope.Enter();
        return 0.5 * (logpNew.Detach() - logpOld).Square().Mean().Item();
    }

    /// <summary>Fraction of ratios outside [1 − ε, 1 + ε].</summary>
    public static double ClipFraction(Tensor ratio, double clipRange)
    {
        ArgumentNullException.ThrowIfNull(ratio);
        using var scope = TensorScope.Enter();
        return (ratio.Detach() - 1.0).Abs().Gt(clipRange).To(DType.Float32).Mean().Item();
    }
}
