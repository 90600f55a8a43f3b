using FlowTune.Nn;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl;

/// <summary>
/// The policy-gradient phase of an epoch (ALGORITHMS.md §5.4–5.5): the batches are shuffled and split into
/// <c>updates_per_epoch</c> groups; within a group the PPO-clip + β·KL loss of every trained step of every batch is
/// accumulated, then one clipped AdamW step is taken. Likelihoods are recomputed on exactly the sampled batches,
/// so on the first update the ratio is 1 to float precision.
/// </summary>
public sealed class GrpoUpdater
{
    private readonly GrpoConfig _config;
    private readonly GrpoPolicy _policy;
    private readonly AdamW _optimizer;

    /// <summary>Creates the updater.</summary>
    public GrpoUpdater(GrpoConfig config, GrpoPolicy policy, AdamW optimizer)
    {
        _config = config;
        _policy = policy;
        _optimizer = optimizer;
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Largest |ratio − 1| seen on the first update of the last epoch (the on-policy sanity check).</summary>
    public double FirstUpdateMaxRatioDeviation { get; private set; }

    /// <summary>The steps trained: the first ⌊T·timestep_fraction⌋ steps that were stochastic.</summary>
    public static int[] TrainedSteps(bool[] stochastic, double fraction)
    {
        ArgumentNullException.ThrowIfNull(stochastic);
        var n = Math.Max(1, (int)(stochastic.Length * fraction));
        return Enumerable.Range(0, n).Where(k => stochastic[k]).ToArray();
    }

    /// <summary>Runs the updates of one epoch; returns one metrics record per optimizer step.</summary>
    public List<UpdateMetrics> Run(int epoch, IReadOnlyList<RolloutBatch> batches, Random random)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(random);
        var order = batches.Where(b => b.Trained.Any(t => t)).OrderBy(_ => random.Next()).ToList();
        var updates = Math.Min(_config.Train.UpdatesPerEpoch, Math.Max(1, order.Count));
        var metrics = new List<UpdateMetrics>();
        FirstUpdateMaxRatioDeviation = 0;
        for (var u = 0; u < updates && order.Count > 0; u++)
        {
            var group = order.Where((_, i) => i * updates / order.Count == u).ToList();
            var stats = new StepStats();
            foreach (var batch in group)
            {
                TrainBatch(batch, group.Count, stats);
            }
            if (u == 0)
            {
                FirstUpdateMaxRatioDeviation = stats.MaxRatioDeviation;
            }
            var gradNorm = GradClip.ClipGradNorm(_policy.Trainable.Select(p => p.Value), _config.Train.MaxGradNorm);
            _optimizer.Step();
            _optimizer.ZeroGrad();
            GlobalStep++;
            if (_policy.Ema is not null && GlobalStep % _config.Train.EmaUpdateEvery == 0)
            {
                _policy.Ema.Update(Math.Min((1.0 + GlobalStep) / (10.0 + GlobalStep), _config.Train.EmaDecay));
            }
            metrics.Add(stats.ToMetrics(epoch, GlobalStep, gradNorm));
        }
        return metrics;
    }

    private void TrainBatch(RolloutBatch batch, int batchesInUpdate, StepStats stats)
    {
        var trajectory = batch.Trajectory;
        var steps = TrainedSteps(trajectory.Stochastic, _config.Train.TimestepFraction);
        var options = _config.Sample.ToSamplerOptions();
        var n = trajectory.Count;
        using var scope = TensorScope.Enter();
        var trajectoryAdvantages = Tensor.FromArray(batch.Advantages, n).To(DType.Float32);     // [B]
        var lossWeights = batch.StepAdvantages is null ? null : SuperFlow.StepAdvantages.LossWeights(trajectory.Times);
        var mask = Tensor.FromArray(batch.Trained.Select(t => t ? 1f : 0f).ToArray(), n);       // [B]
        var trained = Math.Max(1.0, batch.Trained.Count(t => t));
        using var velocity = new GuidedVelocity(_policy.Policy, batch.Prompts, options.GuidanceScale);
        var grid = trajectory.Times;
        foreach (var k in steps)
        {
            using var stepScope = TensorScope.Enter();
            var x = trajectory.States.Select(1, k);                                                // [B, C, H, W]
            var xNext = trajectory.States.Select(1, k + 1);
            var t = Tensor.Full([n], grid[k]);
            var tNext = Tensor.Full([n], grid[k + 1]);
            var v = velocity.At(x, grid[k]);
            using var transition = SdeStep.Transition(options.Kind, x, v, t, tNext, options.NoiseLevel, grid[1]);
            var logp = SdeStep.LogProb(options.Kind, transition, xNext);                            // [B]
            var logpOld = trajectory.LogProbs.Select(1, k);
            var advantages = batch.StepAdvantages is { } stepAdv
                ? Tensor.FromArray(stepAdv.Select(a => (float)a[k]).ToArray(), n)                    // [B] step k
                : trajectoryAdvantages;
            var (terms, ratio) = PolicyLoss.Clipped(logp, logpOld, advantages, _config.Train.ClipRange);
            var policyLoss = (terms * mask).Sum() / trained;
            if (lossWeights is not null)
            {
                policyLoss = policyLoss * lossWeights[k];
            }
            var loss = policyLoss;
            double kl = 0;
            if (_config.Train.Beta > 0)
            {
                var vRef = _policy.ReferenceVelocity(m => velocity.At(x, grid[k], m));
                using var reference = SdeStep.Transition(options.Kind, x, vRef, t, tNext, options.NoiseLevel, grid[1]);
                var klTerms = PolicyLoss.Kl(transition.Mean, reference.Mean, transition.SigmaT, (tNext - t).Neg(), _config.Train.KlType);
                var klLoss = (klTerms * mask).Sum() / trained;
                kl = klLoss.Item();
                loss = loss + klLoss * _config.Train.Beta;
            }
            (loss / (batchesInUpdate * (double)steps.Length)).Backward();
            stats.Add(policyLoss.Item(), kl, PolicyLoss.ApproxKl(logp, logpOld), PolicyLoss.ClipFraction(ratio, _config.Train.ClipRange), ratio);
        }
    }

    /// <summary>Running means over the steps of one update.</summary>
    private sealed class StepStats
    {
        private readonly List<double> _policy = [], _kl = [], _approx = [], _clip = [];
        private double _ratioSum, _ratioMin = double.MaxValue, _ratioMax = double.MinValue;
        private long _ratioCount;

        /// <summary>Largest |ratio − 1| seen in this update.</summary>
        public double MaxRatioDeviation => _ratioCount == 0 ? 0 : Math.Max(_ratioMax - 1, 1 - _ratioMin);

        public void Add(double policy, double kl, double approx, double clip, Tensor ratio)
        {
            _policy.Add(policy);
            _kl.Add(kl);
            _approx.Add(approx);
            _clip.Add(clip);
            foreach (var r in ratio.Detach().ToArray<float>())
            {
                _ratioSum += r;
                _ratioMin = Math.Min(_ratioMin, r);
                _ratioMax = Math.Max(_ratioMax, r);
                _ratioCount++;
            }
        }

        public UpdateMetrics ToMetrics(int epoch, long step, double gradNorm) => new(
            epoch, step, Mean(_policy), Mean(_kl), Mean(_approx), Mean(_clip),
            _ratioCount == 0 ? 1 : _ratioSum / _ratioCount, _ratioCount == 0 ? 1 : _ratioMin, _ratioCount == 0 ? 1 : _ratioMax, gradNorm);

        private static double Mean(List<double> values) => values.Count == 0 ? 0 : values.Average();
    }
}
