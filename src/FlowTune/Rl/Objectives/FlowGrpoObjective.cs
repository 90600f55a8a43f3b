using FlowTune.Common;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl.Objectives;

/// <summary>Flow-GRPO's loss (<c>objective: {name: grpo}</c>; docs/ALGORITHMS.md §5.4).</summary>
public sealed record FlowGrpoOptions : IObjectiveOptions
{
    /// <summary>PPO clip range ε (tiny because log-probs are averaged over dimensions).</summary>
    public double ClipRange { get; init; } = 1e-4;

    /// <summary>KL weight β (0.04 compositional and text, 0.01 preference); 0 drops the anchor and the reference copy.</summary>
    public double Beta { get; init; } = 0.04;

    /// <summary>KL form: "reference" (the reference code's) or "exact".</summary>
    public KlKind KlType { get; init; } = KlKind.Reference;

    /// <summary>Fraction of the rollout steps trained (0.99 of 10 → the first 9).</summary>
    public double TimestepFraction { get; init; } = 0.99;

    /// <inheritdoc/>
    public ObjectiveNeeds Needs => new(Trajectory: true, StochasticRollouts: true, Reference: Beta > 0, SamplingPolicy: null, StepAdvantages: true);

    /// <inheritdoc/>
    public IEnumerable<string> Validate()
    {
        if (!(ClipRange > 0))
        {
            yield return $"objective.clip_range must be positive, got {ClipRange}";
        }
        if (!(TimestepFraction is > 0 and <= 1))
        {
            yield return $"objective.timestep_fraction must be in (0, 1], got {TimestepFraction}";
        }
        if (!(Beta >= 0))
        {
            yield return $"objective.beta must be >= 0, got {Beta}";
        }
    }

    /// <inheritdoc/>
    public IPolicyObjective Create(ObjectiveContext context) => new FlowGrpoObjective(this, context);
}

/// <summary>
/// For every trained step of the stored trajectories, the PPO-clip term on the recomputed transition likelihood
/// plus β·KL to the reference policy. Likelihoods are recomputed on exactly the sampled batches with the prompts
/// encoded at sampling time, so on the first update of an epoch the ratio is 1 to float precision.
/// </summary>
public sealed class FlowGrpoObjective(FlowGrpoOptions options, ObjectiveContext context) : IPolicyObjective
{
    private readonly SdeSamplerOptions _sampler = context.Rollouts.ToSamplerOptions();

    /// <summary>The steps trained: the first ⌊T·timestep_fraction⌋ steps that were stochastic.</summary>
    public static int[] TrainedSteps(bool[] stochastic, double fraction)
    {
        ArgumentNullException.ThrowIfNull(stochastic);
        var n = Math.Max(1, (int)(stochastic.Length * fraction));
        return Enumerable.Range(0, n).Where(k => stochastic[k]).ToArray();
    }

    /// <inheritdoc/>
    public void BeginEpoch(int epoch)
    {
    }

    /// <inheritdoc/>
    public void Accumulate(TrainingBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var models = context.Models;
        var trajectory = batch.Rollouts.RequireTrajectory();
        var steps = TrainedSteps(trajectory.Stochastic, options.TimestepFraction);
        var s = _sampler;
        var n = batch.Count;
        using var scope = TensorScope.Enter();
        var trajectoryAdvantages = Tensor.FromArray(batch.Advantages.ToArray(), n).To(DType.Float32);   // [B]
        var lossWeights = batch.StepAdvantages is null ? null : SuperFlow.StepAdvantages.LossWeights(trajectory.Times);
        var mask = batch.Mask();                                                                   // [B]
        var velocity = batch.Rollouts.Velocity;
        var grid = trajectory.Times;
        foreach (var k in steps)
        {
            using var stepScope = TensorScope.Enter();
            var x = trajectory.States.Select(1, k);                                                // [B, C, H, W]
            var xNext = trajectory.States.Select(1, k + 1);
            var t = Tensor.Full([n], grid[k]);
            var tNext = Tensor.Full([n], grid[k + 1]);
            var v = StageTimes.Time(StageTimes.PolicyForward, () => velocity.At(x, grid[k], models.Policy));
            using var transition = SdeStep.Transition(s.Kind, x, v, t, tNext, s.NoiseLevel, grid[1]);
            var logp = SdeStep.LogProb(s.Kind, transition, xNext);                                  // [B]
            var logpOld = trajectory.LogProbs.Select(1, k);
            var advantages = batch.StepAdvantages is { } stepAdv
                ? Tensor.FromArray(stepAdv.Select(a => (float)a[k]).ToArray(), n)                    // [B] step k
                : trajectoryAdvantages;
            var (terms, ratio) = PolicyLoss.Clipped(logp, logpOld, advantages, options.ClipRange);
            var policyLoss = mask.Mean(terms);
            if (lossWeights is not null)
            {
                policyLoss = policyLoss * lossWeights[k];
            }
            var loss = policyLoss;
            double kl = 0;
            if (options.Beta > 0)
            {
                var vRef = StageTimes.Time(StageTimes.ReferenceForward, () => models.ReferenceVelocity(m => velocity.At(x, grid[k], m)));
                using var reference = SdeStep.Transition(s.Kind, x, vRef, t, tNext, s.NoiseLevel, grid[1]);
                var klTerms = PolicyLoss.Kl(transition.Mean, reference.Mean, transition.SigmaT, (tNext - t).Neg(), options.KlType);
                var klLoss = mask.Mean(klTerms);
                kl = klLoss.Item();
                loss = loss + klLoss * options.Beta;
            }
            StageTimes.Time(StageTimes.PolicyBackward, () => (loss * (weight / steps.Length)).Backward());
            stats.Add(policyLoss.Item(), kl, PolicyLoss.ApproxKl(logp, logpOld), PolicyLoss.ClipFraction(ratio, options.ClipRange), ratio);
        }
    }
}
