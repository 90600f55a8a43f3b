using FlowTune.Common;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl.Objectives;

/// <summary>Negative-aware fine-tuning (<c>objective: {name: nft}</c>; docs/ALGORITHMS.md §7).</summary>
public sealed record NftOptions : IObjectiveOptions
{
    /// <summary>Strength β of the implicit positive/negative policies v_old ± β(v_θ − v_old).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>Re-noising times t ~ U(0, 1) drawn per image and epoch (each costs one forward+backward).</summary>
    public int Timesteps { get; init; } = 2;

    /// <summary>Advantage that maps to optimality 1 (r = ½ + ½·clip(A / scale, −1, 1)).</summary>
    public double AdvantageScale { get; init; } = 1.0;

    /// <summary>
    /// Decay η of the sampling policy, a soft copy of the trained one updated after each epoch's updates
    /// (θ_old ← η·θ_old + (1 − η)·θ; DiffusionNFT's off-policy mode). Rollouts and v_old come from it.
    /// 0 = the trained policy itself at sampling time (on-policy).
    /// </summary>
    public double SamplingDecay { get; init; }

    /// <summary>Weight of the anchor |v_θ − v_ref|² to the reference policy (0 = none, and no reference copy is kept).</summary>
    public double KlWeight { get; init; }

    /// <inheritdoc/>
    public ObjectiveNeeds Needs => new(Trajectory: false, StochasticRollouts: false, Reference: KlWeight > 0, SamplingPolicyDecay: SamplingDecay, StepAdvantages: false);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (!(Beta > 0) || Timesteps < 1 || !(AdvantageScale > 0))
        {
            yield return $"objective.beta and objective.advantage_scale must be positive and objective.timesteps >= 1, got {Beta}, {AdvantageScale}, {Timesteps}";
        }
        if (!(SamplingDecay is >= 0 and < 1))
        {
            yield return $"objective.sampling_decay must be in [0, 1), got {SamplingDecay}";
        }
        if (!(KlWeight >= 0))
        {
            yield return $"objective.kl_weight must be >= 0, got {KlWeight}";
        }
    }

    /// <inheritdoc/>
    public IPolicyObjective Create(ObjectiveContext context) => new NftObjective(this, context);
}

/// <summary>
/// Negative-aware fine-tuning (DiffusionNFT's idea; our implementation of the published formulas). Each rollout's
/// final image x0 is re-noised, x_t = (1 − t)·x0 + t·ε with t ~ U(0, 1), and the flow-matching target u = ε − x0 is
/// fitted by two implicit policies built from the trained velocity v_θ and the frozen sampling policy's v_old:
/// v⁺ = v_old + β(v_θ − v_old) on the "positive" side and v⁻ = v_old − β(v_θ − v_old) on the "negative" side, weighted
/// by an optimality probability r = ½ + ½·clip(A / s, −1, 1) from the group advantage A:
/// <c>loss = r·|v⁺ − u|² + (1 − r)·|v⁻ − u|²</c> (means over dimensions). Its gradient at θ = θ_old is
/// 2β(2r − 1)(v_old − u): toward the flow of the better images of a group and away from the worse ones; rewards
/// equal to the group mean only pull v_θ back to v_old. With <c>kl_weight</c> &gt; 0 an anchor
/// kl_weight·|v_θ − v_ref|² to the reference policy is added.
/// </summary>
public sealed class NftObjective(NftOptions options, ObjectiveContext context) : IPolicyObjective
{
    private Generator? _generator;

    /// <inheritdoc/>
    public void BeginEpoch(int epoch)
    {
        _generator?.Dispose();
        _generator = new Generator(Seeds.Derive(context.Seed, RandomStreams.RlNftRenoising, epoch));
    }

    /// <inheritdoc/>
    public void Accumulate(TrainingBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var generator = _generator ?? throw new InvalidOperationException("BeginEpoch must be called before Accumulate");
        var models = context.Models;
        var old = models.SamplingPolicy ?? throw new InvalidOperationException("the NFT objective needs a separate sampling policy");
        var n = batch.Count;
        using var scope = TensorScope.Enter();
        var x0 = batch.Rollouts.Final;                                                             // [B, C, H, W] final images
        var mask = batch.Mask();                                                                   // [B]
        var r = Tensor.FromArray(OptimalityProbability(batch.Advantages, options.AdvantageScale), n);   // [B]
        var text = batch.Rollouts.Velocity.Conditional;                                            // encoded at sampling time
        for (var j = 0; j < options.Timesteps; j++)
        {
            using var stepScope = TensorScope.Enter();
            var t = Tensor.Rand([n], generator);                                                    // [B] ~ U(0, 1)
            var eps = Tensor.Randn(x0.Shape, generator);                                            // [B, C, H, W]
            var tb = t.View(-1, 1, 1, 1);
            var xt = x0 * (1.0 - tb) + eps * tb;
            var target = eps - x0;                                                                  // u
            var v = StageTimes.Time(StageTimes.PolicyForward, () => models.Policy.Velocity(xt, t, text));
            Tensor vOld;
            using (Autograd.NoGrad())
            {
                vOld = old.Velocity(xt, t, text);
            }
            var delta = (v - vOld) * options.Beta;
            var positive = MeanDims((vOld + delta - target).Square());                             // [B]
            var negative = MeanDims((vOld - delta - target).Square());                             // [B]
            var terms = r * positive + (1.0 - r) * negative;                                        // [B]
            var policyLoss = mask.Mean(terms);
            var loss = policyLoss;
            double kl = 0;
            if (options.KlWeight > 0)
            {
                var vRef = models.ReferenceVelocity(m => m.Velocity(xt, t, text));
                var klLoss = mask.Mean(MeanDims((v - vRef).Square()));
                kl = klLoss.Item();
                loss = loss + klLoss * options.KlWeight;
            }
            StageTimes.Time(StageTimes.PolicyBackward, () => (loss * (weight / options.Timesteps)).Backward());
            stats.Add(policyLoss.Item(), kl, 0, 0, null);
        }
    }

    /// <summary>r = ½ + ½·clip(A / scale, −1, 1): 1 for clearly better than the group, 0 for clearly worse.</summary>
    public static float[] OptimalityProbability(IReadOnlyList<double> advantages, double scale)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return advantages.Select(a => (float)(0.5 + 0.5 * Math.Clamp(a / scale, -1.0, 1.0))).ToArray();
    }

    private static Tensor MeanDims(Tensor x) => x.Flatten(1).Mean(1);                             // [B]
}
