using FlowTune.Common;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl;

/// <summary>
/// Flow-GRPO's loss (ALGORITHMS.md §5.4): for every trained step of the stored trajectories, the PPO-clip term on
/// the recomputed transition likelihood plus β·KL to the reference policy. Likelihoods are recomputed on exactly
/// the sampled batches, so on the first update of an epoch the ratio is 1 to float precision.
/// </summary>
public sealed class FlowGrpoObjective(GrpoConfig config, GrpoPolicy policy) : IPolicyObjective
{
    private readonly SdeSamplerOptions _options = config.Sample.ToSamplerOptions();

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
    public void Accumulate(RolloutBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var trajectory = batch.Trajectory;
        var steps = TrainedSteps(trajectory.Stochastic, config.Train.TimestepFraction);
        var options = _options;
        var n = trajectory.Count;
        using var scope = TensorScope.Enter();
        var trajectoryAdvantages = Tensor.FromArray(batch.Advantages, n).To(DType.Float32);     // [B]
        var lossWeights = batch.StepAdvantages is null ? null : SuperFlow.StepAdvantages.LossWeights(trajectory.Times);
        var mask = batch.Mask();                                                                   // [B]
        using var velocity = StageTimes.Time(StageTimes.UpdateTextEncode, () => new GuidedVelocity(policy.Policy, batch.Prompts, options.GuidanceScale));
        var grid = trajectory.Times;
        foreach (var k in steps)
        {
            using var stepScope = TensorScope.Enter();
            var x = trajectory.States.Select(1, k);                                                // [B, C, H, W]
            var xNext = trajectory.States.Select(1, k + 1);
            var t = Tensor.Full([n], grid[k]);
            var tNext = Tensor.Full([n], grid[k + 1]);
            var v = StageTimes.Time(StageTimes.PolicyForward, () => velocity.At(x, grid[k]));
            using var transition = SdeStep.Transition(options.Kind, x, v, t, tNext, options.NoiseLevel, grid[1]);
            var logp = SdeStep.LogProb(options.Kind, transition, xNext);                            // [B]
            var logpOld = trajectory.LogProbs.Select(1, k);
            var advantages = batch.StepAdvantages is { } stepAdv
                ? Tensor.FromArray(stepAdv.Select(a => (float)a[k]).ToArray(), n)                    // [B] step k
                : trajectoryAdvantages;
            var (terms, ratio) = PolicyLoss.Clipped(logp, logpOld, advantages, config.Train.ClipRange);
            var policyLoss = mask.Mean(terms);
            if (lossWeights is not null)
            {
                policyLoss = policyLoss * lossWeights[k];
            }
            var loss = policyLoss;
            double kl = 0;
            if (config.Train.Beta > 0)
            {
                var vRef = StageTimes.Time(StageTimes.ReferenceForward, () => policy.ReferenceVelocity(m => velocity.At(x, grid[k], m)));
                using var reference = SdeStep.Transition(options.Kind, x, vRef, t, tNext, options.NoiseLevel, grid[1]);
                var klTerms = PolicyLoss.Kl(transition.Mean, reference.Mean, transition.SigmaT, (tNext - t).Neg(), config.Train.KlType);
                var klLoss = mask.Mean(klTerms);
                kl = klLoss.Item();
                loss = loss + klLoss * config.Train.Beta;
            }
            StageTimes.Time(StageTimes.PolicyBackward, () => (loss * (weight / steps.Length)).Backward());
            stats.Add(policyLoss.Item(), kl, PolicyLoss.ApproxKl(logp, logpOld), PolicyLoss.ClipFraction(ratio, config.Train.ClipRange), ratio);
        }
    }
}
