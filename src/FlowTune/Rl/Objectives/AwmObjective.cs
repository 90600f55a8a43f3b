using FlowTune.Common;
using FlowTune.Rl.Update;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl.Objectives;

/// <summary>How AWM weights the flow-matching error into its likelihood surrogate (the reference's <c>weighting</c>).</summary>
public enum AwmWeighting
{
    /// <summary>ℓ = −mse.</summary>
    Uniform,

    /// <summary>ℓ = −t·mse.</summary>
    T,

    /// <summary>ℓ = −t²·mse.</summary>
    T2,

    /// <summary>ℓ = −t·(sqrt(mse + 1e-10) − 1e-5).</summary>
    Huber,

    /// <summary>ℓ = −t·((mse + 1e-10)^p − (1e-10)^p) / p with p = <c>ghuber_power</c> (the reference's GenEval setting, p 0.25).</summary>
    Ghuber,
}

/// <summary>Which grid times AWM trains at (the reference's <c>time_type</c>; shared by the whole batch in each round).</summary>
public enum AwmTimes
{
    /// <summary>One grid index from each of J equal strata of [0, ⌊fraction·T⌋) (<c>discrete</c>).</summary>
    Discrete,

    /// <summary>As <see cref="Discrete"/> over [1, ⌊fraction·T⌋): t = 1 (pure noise) is never trained (<c>discrete_wo_init</c>, the GenEval setting).</summary>
    DiscreteWithoutInit,
}

/// <summary>
/// Advantage Weighted Matching (<c>objective: {name: awm}</c>; docs/ALGORITHMS.md §7b), with the defaults of the
/// reference's GenEval config (scxue/advantage_weighted_matching, <c>geneval_sd3_no_cfg</c>).
/// </summary>
public sealed record AwmOptions : IObjectiveOptions
{
    /// <summary>PPO clip range ε on the surrogate's ratio (reference: 1, so with one update per epoch it never binds).</summary>
    public double ClipRange { get; init; } = 1.0;

    /// <summary>Advantages are clipped to ±adv_clip_max and then scaled to ±<see cref="AdvantageMax"/>.</summary>
    public double AdvClipMax { get; init; } = 5.0;

    /// <summary>The advantage a clipped advantage of adv_clip_max maps to (reference: 1).</summary>
    public double AdvantageMax { get; init; } = 1.0;

    /// <summary>Rounds J of training times per batch (reference: 6); each costs a forward and backward of the policy
    /// and a forward of the epoch-start policy (and of the reference with an anchor).</summary>
    public int TrainTimesteps { get; init; } = 6;

    /// <summary>Grid indices below ⌊fraction·sample.num_steps⌋ are trained (reference: 0.9).</summary>
    public double TimestepFraction { get; init; } = 0.9;

    /// <summary>How the times are drawn.</summary>
    public AwmTimes Times { get; init; } = AwmTimes.DiscreteWithoutInit;

    /// <summary>The surrogate's weighting of the flow-matching error.</summary>
    public AwmWeighting Weighting { get; init; } = AwmWeighting.Ghuber;

    /// <summary>Power p of the <c>ghuber</c> weighting.</summary>
    public double GhuberPower { get; init; } = 0.25;

    /// <summary>
    /// True (the reference's <c>exp_first</c>): one ratio per round, exp(ℓ_θ − ℓ_old); false (<c>sum_first</c>): one
    /// ratio per rollout from the surrogate averaged over the rounds first.
    /// </summary>
    public bool RatioPerTimestep { get; init; } = true;

    /// <summary>Weight of the anchor mean (v_θ − v_ref)² to the frozen base (reference: 0.001; 0 = none, no reference copy kept).</summary>
    public double KlWeight { get; init; } = 1e-3;

    /// <inheritdoc/>
    public ObjectiveNeeds Needs => new(Trajectory: false, StochasticRollouts: false, Reference: KlWeight > 0,
        SamplingPolicy: new SamplingPolicySchedule(0, 0, 0), StepAdvantages: false);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (!(ClipRange > 0))
        {
            yield return $"objective.clip_range must be positive, got {ClipRange}";
        }
        if (!(AdvClipMax > 0) || !(AdvantageMax > 0))
        {
            yield return $"objective.adv_clip_max and objective.advantage_max must be positive, got {AdvClipMax}, {AdvantageMax}";
        }
        if (TrainTimesteps < 1)
        {
            yield return $"objective.train_timesteps must be >= 1, got {TrainTimesteps}";
        }
        if (!(TimestepFraction is > 0 and <= 1))
        {
            yield return $"objective.timestep_fraction must be in (0, 1], got {TimestepFraction}";
        }
        if (!(GhuberPower > 0))
        {
            yield return $"objective.ghuber_power must be positive, got {GhuberPower}";
        }
        if (!(KlWeight >= 0))
        {
            yield return $"objective.kl_weight must be >= 0, got {KlWeight}";
        }
    }

    /// <inheritdoc/>
    public IPolicyObjective Create(ObjectiveContext context) => new AwmObjective(this, context);
}

/// <summary>
/// AWM: the policy's log-likelihood of a clean rollout x0 is replaced by the flow-matching surrogate on a forward-noised
/// copy, ℓ_θ = weighting(−mean (v_θ(x_t, t) − (ε − x0))²) with x_t = (1 − t)·x0 + t·ε, and PPO-clip runs on
/// ratio = exp(ℓ_θ − ℓ_old), where ℓ_old is the same surrogate (same t, same ε) under the policy as it was at the start
/// of the epoch's updates (the sampling policy, a copy of θ made after every epoch). With one update per epoch the
/// ratio is 1 and the gradient is −A·∇ℓ_θ: advantage-weighted flow matching. Every rollout of the batch counts.
/// </summary>
public sealed class AwmObjective(AwmOptions options, ObjectiveContext context) : IPolicyObjective
{
    private readonly EpochGenerator _noise = new(context.Seed, RandomStreams.RlAwmNoising);

    /// <inheritdoc/>
    public void BeginEpoch(int epoch) => _noise.Begin(epoch);

    /// <inheritdoc/>
    public void Accumulate(TrainingBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var generator = _noise.Current;
        var models = context.Models;
        var old = models.SamplingPolicy ?? throw new InvalidOperationException("the AWM objective needs the epoch-start copy of the policy (a sampling policy)");
        var n = batch.Count;
        var grid = batch.Rollouts.Times;
        var indices = TimeIndices(options, grid.Length - 1, generator);
        using var scope = TensorScope.Enter();
        var x0 = batch.Rollouts.Final;                                                             // [B, C, H, W] clean images
        var text = batch.Rollouts.Velocity.Conditional;
        var advantages = Tensor.FromArray(ScaledAdvantages(batch.Advantages, options), n);          // [B]
        var surrogate = new List<Tensor>();
        var oldSurrogate = new List<Tensor>();
        var klTerms = new List<Tensor>();
        foreach (var k in indices)
        {
            var t = Tensor.Full([n], grid[k]);                                                      // [B]
            var tb = t.View(-1, 1, 1, 1);
            var eps = Tensor.Randn(x0.Shape, generator);                                            // [B, C, H, W]
            var xt = x0 * (1.0 - tb) + eps * tb;
            var target = eps - x0;
            var v = StageTimes.Time(StageTimes.PolicyForward, () => models.Policy.Velocity(xt, t, text));
            surrogate.Add(Surrogate(v, target, t, options));                                        // [B]
            using (Autograd.NoGrad())
            {
                oldSurrogate.Add(Surrogate(old.Velocity(xt, t, text), target, t, options));
            }
            if (options.KlWeight > 0)
            {
                var vRef = models.ReferenceVelocity(m => m.Velocity(xt, t, text));
                klTerms.Add((v - vRef).Square().Flatten(1).Mean(1));                                 // [B]
            }
        }
        var logp = Tensor.Stack(surrogate, 0);                                                      // [J, B]
        var logpOld = Tensor.Stack(oldSurrogate, 0);                                                // [J, B]
        var (terms, ratio) = options.RatioPerTimestep
            ? PolicyLoss.Clipped(logp.Flatten(), logpOld.Flatten(), advantages.Unsqueeze(0).Expand(indices.Length, n).Flatten(), options.ClipRange)
            : PolicyLoss.Clipped(logp.Mean(0), logpOld.Mean(0), advantages, options.ClipRange);
        var policyLoss = terms.Mean();
        var loss = policyLoss;
        double kl = 0;
        if (klTerms.Count > 0)
        {
            var klLoss = Tensor.Stack(klTerms, 0).Mean();
            kl = klLoss.Item();
            loss = loss + klLoss * options.KlWeight;
        }
        StageTimes.Time(StageTimes.PolicyBackward, () => (loss * weight).Backward());
        stats.Add(policyLoss.Item(), kl, PolicyLoss.ApproxKl(logp, logpOld), PolicyLoss.ClipFraction(ratio, options.ClipRange), ratio);
    }

    /// <summary>The surrogate log-likelihood ℓ [B] of velocity <paramref name="v"/> against the target ε − x0 at times t [B].</summary>
    public static Tensor Surrogate(Tensor v, Tensor target, Tensor t, AwmOptions options)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = TensorScope.Enter();
        var mse = (v - target).Square().Flatten(1).Mean(1);                                        // [B]
        var result = options.Weighting switch
        {
            AwmWeighting.Uniform => mse.Neg(),
            AwmWeighting.T => (mse * t).Neg(),
            AwmWeighting.T2 => (mse * t.Square()).Neg(),
            AwmWeighting.Huber => ((mse + 1e-10).Sqrt() - 1e-5).Neg() * t,
            AwmWeighting.Ghuber => ((mse + 1e-10).Pow(options.GhuberPower) - Math.Pow(1e-10, options.GhuberPower)).Neg() * t / options.GhuberPower,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Weighting, "unknown AWM weighting"),
        };
        return scope.MoveToOuter(result);
    }

    /// <summary>clip(A, ±adv_clip_max) / adv_clip_max · advantage_max.</summary>
    public static float[] ScaledAdvantages(IReadOnlyList<double> advantages, AwmOptions options)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(options);
        return [.. advantages.Select(a => (float)(Math.Clamp(a, -options.AdvClipMax, options.AdvClipMax) / options.AdvClipMax * options.AdvantageMax))];
    }

    /// <summary>
    /// The grid indices of the J rounds: stratum j of [lo, hi) (lo = 1 without the initial time, else 0;
    /// hi = ⌊fraction·steps⌋) is [lo + j·(hi − lo)/J, lo + (j + 1)·(hi − lo)/J) truncated to integers, and one index is
    /// drawn uniformly from it, as the reference does; the rounds come in stratum order.
    /// </summary>
    public static int[] TimeIndices(AwmOptions options, int steps, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lo = options.Times == AwmTimes.DiscreteWithoutInit ? 1 : 0;
        var hi = Math.Max(lo + 1, (int)Math.Floor(steps * options.TimestepFraction + 1e-9));
        var j = options.TrainTimesteps;
        using var u = Tensor.Rand([j], generator);                                                // [J]
        var draws = u.ToArray<float>();
        return [.. Enumerable.Range(0, j).Select(i =>
        {
            var lower = (int)(lo + (double)i * (hi - lo) / j);
            var upper = (int)(lo + (double)(i + 1) * (hi - lo) / j);
            return Math.Min(hi - 1, lower + (int)(draws[i] * (upper - lower)));
        })];
    }
}
