using FlowTune.Torch;

namespace FlowTune.Sampling;

/// <summary>The two stochastic step kinds of Flow-GRPO (docs/ALGORITHMS.md §3).</summary>
public enum SdeKind
{
    /// <summary>Euler–Maruyama step of the marginal-preserving reverse SDE, σ_t = a·sqrt(t / (1 − t)).</summary>
    Sde,
    /// <summary>Coefficients-preserving sampling: std = t_next·sin(a·π/2).</summary>
    Cps,
}

/// <summary>Mean, standard deviation and per-sample log-likelihood of one transition x_k → x_{k+1}.</summary>
/// <param name="Mean">[B, ...] the Gaussian's mean.</param>
/// <param name="Std">[B] the transition's standard deviation (σ_t·sqrt(−dt) for sde; t_next·sin(aπ/2) for cps).</param>
/// <param name="SigmaT">[B] σ_t of the sde step (the KL denominator); equal to <paramref name="Std"/> for cps.</param>
public sealed record SdeTransition(Tensor Mean, Tensor Std, Tensor SigmaT) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
        SigmaT.Dispose();
    }
}

/// <summary>
/// One stochastic step with its exact likelihood, in float32 (bf16 can overflow here), following the reference
/// implementation (flow_grpo's sd3_sde_with_logprob):
/// <list type="bullet">
/// <item>sde: σ_t = a·sqrt(t / (1 − t)) with 1 − t replaced by 1 − t_grid1 where t = 1;
/// mean = x + [v + σ_t²/(2t)·(x + (1 − t)·v)]·dt, std = σ_t·sqrt(−dt);
/// log p = mean over non-batch dims of the Gaussian log-density (averaged, not summed: hence clip ranges ~1e-4).</item>
/// <item>cps: x0̂ = x − t·v, epŝ = x + (1 − t)·v, std = t_next·sin(aπ/2), mean = (1 − t_next)·x0̂ + sqrt(t_next² − std²)·epŝ;
/// log p = −mean over dims of (x_next − mean)² (constants dropped). The last step (t_next = 0) is deterministic.</item>
/// </list>
/// With a = 0 both reduce to the Euler ODE step.
/// </summary>
public static class SdeStep
{
    /// <summary>The transition's mean and std at x [B, ...], v [B, ...], t [B], t_next [B].</summary>
    public static SdeTransition Transition(SdeKind kind, Tensor x, Tensor v, Tensor t, Tensor tNext, double noiseLevel, double tGrid1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(tNext);
        using var scope = TensorScope.Enter();
        var xf = x.To(DType.Float32);
        var vf = v.To(DType.Float32);
        var shape = Broadcast(x.Dim);
        var tf = t.To(DType.Float32);
        var tn = tNext.To(DType.Float32);
        SdeTransition result;
        if (kind == SdeKind.Sde)
        {
            var denominator = Tensor.Where(tf.Eq(1.0), Tensor.Full([], 1 - tGrid1), tf.RSub(1.0));  // 1 − t (or 1 − t_grid1 at t = 1)
            var sigma = (tf / denominator).Sqrt() * noiseLevel;                                      // [B]
            var dt = tn - tf;                                                                         // [B], negative
            var tv = tf.View(shape);
            var sv = sigma.View(shape);
            var drift = vf + sv.Square() / (tv * 2.0) * (xf + (tv.RSub(1.0) * vf));                   // [B, ...]
            var mean = xf + drift * dt.View(shape);
            var std = sigma * dt.Neg().Sqrt();                                                        // [B]
            result = new SdeTransition(mean, std, sigma);
        }
        else
        {
            var tv = tf.View(shape);
            var x0 = xf - tv * vf;
            var eps = xf + tv.RSub(1.0) * vf;
            var std = tn * Math.Sin(noiseLevel * Math.PI / 2);                                        // [B]
            var coef = (tn.Square() - std.Square()).Clamp(min: 0).Sqrt();                             // [B]
            var mean = tn.View(shape).RSub(1.0) * x0 + coef.View(shape) * eps;
            result = new SdeTransition(mean, std, std.Clone());
        }
        scope.MoveToOuter([result.Mean, result.Std, result.SigmaT]);
        return result;
    }

    /// <summary>
    /// Per-sample log-likelihood [B] of <paramref name="xNext"/> (treated as data) under the transition:
    /// averaged over non-batch dimensions. Deterministic steps (std = 0) give 0.
    /// </summary>
    public static Tensor LogProb(SdeKind kind, SdeTransition transition, Tensor xNext)
    {
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(xNext);
        using var scope = TensorScope.Enter();
        var dims = Enumerable.Range(1, xNext.Dim - 1).Select(d => (long)d).ToArray();
        var diff = xNext.Detach().To(DType.Float32) - transition.Mean;
        if (kind == SdeKind.Cps)
        {
            return scope.MoveToOuter(diff.Square().Mean(dims).Neg());
        }
        var std = transition.Std.View(Broadcast(xNext.Dim));
        var safe = std.Clamp(min: 1e-12);
        var logp = diff.Square().Neg() / (safe.Square() * 2.0) - safe.Log() - Math.Log(Math.Sqrt(2 * Math.PI));
        var perSample = logp.Mean(dims);                                           // [B]
        var deterministic = transition.Std.Le(0.0);
        return scope.MoveToOuter(Tensor.Where(deterministic, Tensor.Zeros([]), perSample));
    }

    /// <summary>[-1, 1, 1, ...]: a per-sample [B] tensor viewed to broadcast over [B, ...] of <paramref name="dim"/> dimensions.</summary>
    internal static long[] Broadcast(int dim)
    {
        var shape = new long[dim];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return shape;
    }
}
