using FlowTune.Common;
using FlowTune.Distributed;
using FlowTune.Nn;
using FlowTune.Rl.Objectives;

namespace FlowTune.Rl.Update;

/// <summary>
/// The update stage of an epoch (docs/ALGORITHMS.md §5.5): the trained batches are shuffled and split into
/// <c>updates_per_epoch</c> groups; within a group the objective's loss of every batch is accumulated, then one
/// clipped AdamW step is taken and the EMA is updated on schedule. After the epoch's updates the sampling policy
/// (if the objective has one) moves toward the trained one with the decay its schedule gives at the global step.
/// </summary>
public sealed class PolicyUpdater(UpdateOptions options, PolicyModels models, AdamW optimizer, IPolicyObjective objective, SamplingPolicySchedule? samplingPolicy)
{
    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Largest |ratio − 1| seen on the first update of the last epoch (the on-policy sanity check).</summary>
    public double FirstUpdateMaxRatioDeviation { get; private set; }

    /// <summary>Runs the updates of one epoch; returns one metrics record per optimizer step.</summary>
    public List<UpdateMetrics> Run(int epoch, IReadOnlyList<TrainingBatch> batches, Random random) =>
        Run(epoch, batches, [.. batches.Select(b => b.AnyTrained)], random, DataParallel.Single);

    /// <summary>
    /// Runs the updates of one epoch of a data-parallel job: <paramref name="batches"/> lists the epoch's rollout batches
    /// in global order, null where another rank holds one, and <paramref name="anyTrained"/> says for every batch whether
    /// it has a trained sample. Every rank shuffles the same global list, accumulates its own batches of each update
    /// with the weight 1 / (batches in that update on all ranks), and the gradients are summed over ranks before
    /// clipping: the same step one process takes with every batch.
    /// </summary>
    public List<UpdateMetrics> Run(int epoch, IReadOnlyList<TrainingBatch?> batches, IReadOnlyList<bool> anyTrained, Random random, DataParallel parallel)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(anyTrained);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(parallel);
        var order = Enumerable.Range(0, batches.Count).Where(i => anyTrained[i]).OrderBy(_ => random.Next()).ToList();
        var updates = Math.Min(options.UpdatesPerEpoch, Math.Max(1, order.Count));
        var metrics = new List<UpdateMetrics>();
        FirstUpdateMaxRatioDeviation = 0;
        objective.BeginEpoch(epoch);
        for (var u = 0; u < updates && order.Count > 0; u++)
        {
            var group = order.Where((_, i) => i * updates / order.Count == u).ToList();
            var stats = new UpdateStats();
            foreach (var batch in group.Select(i => batches[i]).OfType<TrainingBatch>())
            {
                objective.Accumulate(batch, 1.0 / group.Count, stats);
            }
            parallel.SumGradients(optimizer.Parameters, $"gradient all-reduce of update {GlobalStep + 1}");
            if (u == 0)
            {
                FirstUpdateMaxRatioDeviation = stats.MaxRatioDeviation;
            }
            var gradNorm = StageTimes.Time(StageTimes.GradClip, () => GradClip.ClipGradNorm(optimizer.Parameters, options.MaxGradNorm));
            StageTimes.Time(StageTimes.OptimizerStep, optimizer.Step);
            optimizer.ZeroGrad();
            GlobalStep++;
            if (models.Ema is not null && GlobalStep % options.EmaUpdateEvery == 0)
            {
                StageTimes.Time(StageTimes.EmaUpdate, () => models.Ema!.Update(EmaWeights.WarmupDecay(GlobalStep, options.EmaDecay)));
            }
            metrics.Add(stats.ToMetrics(epoch, GlobalStep, gradNorm));
        }
        if (samplingPolicy is not null)
        {
            models.AdvanceSamplingPolicy(samplingPolicy.Decay(GlobalStep));
        }
        return metrics;
    }

    /// <summary>The optimizer for <paramref name="models"/>' trainable parameters with <paramref name="options"/>' settings.</summary>
    public static AdamW CreateOptimizer(UpdateOptions options, PolicyModels models)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        return new AdamW(models.Trainable, new AdamWOptions
        {
            LearningRate = options.LearningRate,
            Beta1 = options.AdamBeta1,
            Beta2 = options.AdamBeta2,
            Epsilon = options.AdamEpsilon,
            WeightDecay = options.AdamWeightDecay,
        });
    }
}
