using FlowTune.Common;
using FlowTune.Rl.Update;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl.Objectives;

/// <summary>
/// DiffusionNFT (<c>objective: {name: nft}</c>; docs/ALGORITHMS.md §7), with the reference code's defaults
/// (NVlabs/DiffusionNFT, GenEval config): β 1, A_max 5, 9 of 10 grid times, anchor 1e-4, sampling-policy decay
/// min(0.001·step, 0.5). Pair it with deterministic rollouts (<c>sample.noise_level: 0</c>, <c>sample.solver: heun</c>),
/// guidance 1 and an EMA updated every step (<c>train.ema_update_every: 1</c>) as <c>configs/shapes-nft.yaml</c> does.
/// </summary>
public sealed record NftOptions : IObjectiveOptions
{
    /// <summary>
    /// Strength β of the implicit policies v⁺ = β·v_θ + (1 − β)·v_old and v⁻ = (1 + β)·v_old − β·v_θ; the loss is
    /// divided by β, so β sets how far one step can move v_θ from v_old (reference: 1.0, or 0.1 for OCR).
    /// </summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>
    /// A_max of the optimality mapping r = clamp(A / A_max / 2 + ½, 0, 1) (advantages are clipped to ±A_max first);
    /// the loss is multiplied by A_max. Keep it equal to <c>advantages.clip_max</c> (both 5 in the reference).
    /// </summary>
    public double AdvClipMax { get; init; } = 5.0;

    /// <summary>
    /// Fraction of the rollout grid's times each rollout is trained at: ⌊fraction·sample.num_steps⌋ distinct grid
    /// times t_k (k &lt; num_steps, so t = 1 included), drawn at random per rollout and epoch; each costs a forward and
    /// backward of the policy and a forward of the sampling policy (and of the reference with an anchor).
    /// </summary>
    public double TimestepFraction { get; init; } = 0.99;

    /// <summary>Weight λ of the anchor λ·mean |v_θ − v_ref|² to the frozen base (reference: 1e-4; 0 = none, no reference copy kept).</summary>
    public double KlWeight { get; init; } = 1e-4;

    /// <summary>Optimizer steps before the sampling policy starts to lag (decay 0 until then; see <see cref="SamplingPolicySchedule"/>).</summary>
    public long SamplingDecayFlat { get; init; }

    /// <summary>Growth per optimizer step of the sampling policy's decay d (0 with <see cref="SamplingDecayMax"/> 0: on-policy).</summary>
    public double SamplingDecayRate { get; init; } = 0.001;

    /// <summary>Cap of the sampling policy's decay d, in [0, 1): θ_old ← d·θ_old + (1 − d)·θ after each epoch.</summary>
    public double SamplingDecayMax { get; init; } = 0.5;

    /// <summary>The sampling policy's schedule these fields describe.</summary>
    public SamplingPolicySchedule Schedule => new(SamplingDecayFlat, SamplingDecayRate, SamplingDecayMax);

    /// <inheritdoc/>
    public ObjectiveNeeds Needs => new(Trajectory: false, StochasticRollouts: false, Reference: KlWeight > 0, SamplingPolicy: Schedule, StepAdvantages: false);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (!(Beta > 0))
        {
            yield return $"objective.beta must be positive, got {Beta}";
        }
        if (!(AdvClipMax > 0))
        {
            yield return $"objective.adv_clip_max must be positive, got {AdvClipMax}";
        }
        if (!(TimestepFraction is > 0 and <= 1))
        {
            yield return $"objective.timestep_fraction must be in (0, 1], got {TimestepFraction}";
        }
        if (!(KlWeight >= 0))
        {
            yield return $"objective.kl_weight must be >= 0, got {KlWeight}";
        }
        foreach (var problem in Schedule.Validate("objective.sampling_decay"))
        {
            yield return problem;
        }
    }

    /// <summary>Training times per rollout for <paramref name="steps"/> rollout steps (at least 1).</summary>
    public int TimesPerRollout(int steps) => Math.Max(1, (int)Math.Floor(steps * TimestepFraction + 1e-9));

    /// <inheritdoc/>
    public IPolicyObjective Create(ObjectiveContext context) => new NftObjective(this, context);
}

/// <summary>
/// DiffusionNFT's loss as its reference code computes it (docs/ALGORITHMS.md §7). Each rollout's clean image x0 is
/// re-noised at grid times t: x_t = (1 − t)·x0 + t·ε with fresh ε. From the trained velocity v = v_θ(x_t) and the
/// sampling policy's v_old (no gradient), the implicit policies v⁺ = β·v + (1 − β)·v_old and
/// v⁻ = (1 + β)·v_old − β·v predict x0± = x_t − t·v±; each side's squared error is divided by its adaptive weight
/// w± = stopgrad(mean |x0± − x0|) (at least 1e-5), and the sides are mixed by the optimality r of the advantage:
/// <c>L = A_max · [r·mean (x0⁺ − x0)² / w⁺ + (1 − r)·mean (x0⁻ − x0)² / w⁻] / β</c>, averaged over the batch, plus
/// the anchor λ·mean (v − v_ref)². All rollouts count, as in the reference: an advantage of 0 (r = ½) only pulls v
/// toward v_old. The guidance scale is 1 throughout (the conditional velocity).
/// </summary>
public sealed class NftObjective(NftOptions options, ObjectiveContext context) : IPolicyObjective
{
    /// <summary>Lower bound of the adaptive weights (the reference's 1e-5).</summary>
    public const double MinWeight = 1e-5;

    private readonly EpochGenerator _noise = new(context.Seed, RandomStreams.RlNftRenoising);

    /// <inheritdoc/>
    public void BeginEpoch(int epoch) => _noise.Begin(epoch);

    /// <inheritdoc/>
    public void Accumulate(TrainingBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var generator = _noise.Current;
        var models = context.Models;
        var old = models.SamplingPolicy ?? throw new InvalidOperationException("the NFT objective needs a separate sampling policy");
        var n = batch.Count;
        var grid = batch.Rollouts.Times;
        var steps = grid.Length - 1;
        var perRollout = options.TimesPerRollout(steps);
        using var scope = TensorScope.Enter();
        var x0 = batch.Rollouts.Final;                                                             // [B, C, H, W] clean images
        var r = Tensor.FromArray(OptimalityProbability(batch.Advantages, options.AdvClipMax), n);  // [B]
        var text = batch.Rollouts.Velocity.Conditional;                                            // encoded at sampling time
        var order = GridOrder(generator, n, steps);                                                // [B][steps] grid indices
        for (var j = 0; j < perRollout; j++)
        {
            using var stepScope = TensorScope.Enter();
            var t = Tensor.FromArray(order.Select(o => (float)grid[o[j]]).ToArray(), n);            // [B]
            var eps = Tensor.Randn(x0.Shape, generator);                                            // [B, C, H, W]
            var tb = t.View(-1, 1, 1, 1);
            var xt = x0 * (1.0 - tb) + eps * tb;
            var v = StageTimes.Time(StageTimes.PolicyForward, () => models.Policy.Velocity(xt, t, text));
            Tensor vOld;
            using (Autograd.NoGrad())
            {
                vOld = old.Velocity(xt, t, text);
            }
            var terms = Terms(v, vOld, xt, x0, tb, r, options.Beta, options.AdvClipMax);           // [B]
            var policyLoss = terms.Mean();
            var loss = policyLoss;
            double kl = 0;
            if (options.KlWeight > 0)
            {
                var vRef = models.ReferenceVelocity(m => m.Velocity(xt, t, text));
                var klLoss = MeanDims((v - vRef).Square()).Mean();
                kl = klLoss.Item();
                loss = loss + klLoss * options.KlWeight;
            }
            StageTimes.Time(StageTimes.PolicyBackward, () => (loss * (weight / perRollout)).Backward());
            stats.Add(policyLoss.Item(), kl, 0, 0, null);
        }
    }

    /// <summary>
    /// The per-rollout loss [B] from the trained and sampling velocities at x_t [B, C, H, W] (t broadcast as
    /// [B, 1, 1, 1]) and the optimality r [B]: A_max·[r·mean (x0⁺ − x0)²/w⁺ + (1 − r)·mean (x0⁻ − x0)²/w⁻]/β.
    /// </summary>
    public static Tensor Terms(Tensor v, Tensor vOld, Tensor xt, Tensor x0, Tensor t, Tensor r, double beta, double advClipMax)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(vOld);
        ArgumentNullException.ThrowIfNull(t);
        using var scope = TensorScope.Enter();
        var oldPart = vOld.Detach();
        var positive = v * beta + oldPart * (1.0 - beta);                                           // v⁺ [B, C, H, W]
        var negative = oldPart * (1.0 + beta) - v * beta;                                           // v⁻
        var positiveLoss = WeightedError(xt - t * positive, x0);                                    // [B]
        var negativeLoss = WeightedError(xt - t * negative, x0);                                    // [B]
        return scope.MoveToOuter((r * positiveLoss + (1.0 - r) * negativeLoss) * (advClipMax / beta));
    }

    /// <summary>mean (x0̂ − x0)² / w with the adaptive weight w = stopgrad(mean |x0̂ − x0|), at least 1e-5: [B].</summary>
    public static Tensor WeightedError(Tensor predicted, Tensor x0)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        using var scope = TensorScope.Enter();
        var error = predicted - x0;                                                                 // [B, C, H, W]
        var w = MeanDims(error.Detach().Abs()).Clamp(min: MinWeight);                               // [B]
        return scope.MoveToOuter(MeanDims(error.Square()) / w);
    }

    /// <summary>r = clamp(clip(A, ±A_max) / A_max / 2 + ½, 0, 1): 1 for clearly better than the group, 0 for clearly worse.</summary>
    public static float[] OptimalityProbability(IReadOnlyList<double> advantages, double advClipMax)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return advantages.Select(a => (float)Math.Clamp(Math.Clamp(a, -advClipMax, advClipMax) / advClipMax / 2 + 0.5, 0, 1)).ToArray();
    }

    /// <summary>A random order of the grid indices 0..steps−1 for each rollout (the first ones are trained).</summary>
    private static int[][] GridOrder(Generator generator, int n, int steps)
    {
        using var keys = Tensor.Rand([n, steps], generator);                                       // [B, steps]
        var values = keys.ToArray<float>();
        return [.. Enumerable.Range(0, n).Select(b => Enumerable.Range(0, steps).OrderBy(k => values[b * steps + k]).ThenBy(k => k).ToArray())];
    }

    private static Tensor MeanDims(Tensor x) => x.Flatten(1).Mean(1);                             // [B]
}
