using FlowTune.Common;
using FlowTune.Nn;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Rl;

/// <summary>
/// The optimisation phase of an epoch (ALGORITHMS.md §5.5): the batches are shuffled and split into
/// <c>updates_per_epoch</c> groups; within a group the objective's loss of every batch is accumulated (Flow-GRPO's
/// PPO-clip + β·KL by default), then one clipped AdamW step is taken and the EMA is updated on schedule.
/// </summary>
public sealed class GrpoUpdater
{
    private readonly GrpoConfig _config;
    private readonly GrpoPolicy _policy;
    private readonly AdamW _optimizer;
    private readonly IPolicyObjective _objective;

    /// <summary>Creates the updater for the objective named by <c>train.objective</c>.</summary>
    public GrpoUpdater(GrpoConfig config, GrpoPolicy policy, AdamW optimizer)
    {
        _config = config;
        _policy = policy;
        _optimizer = optimizer;
        _objective = config.Train.Objective switch
        {
            ObjectiveKind.Nft => new NftObjective(config, policy),
            _ => new FlowGrpoObjective(config, policy),
        };
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Largest |ratio − 1| seen on the first update of the last epoch (the on-policy sanity check).</summary>
    public double FirstUpdateMaxRatioDeviation { get; private set; }

    /// <summary>Runs the updates of one epoch; returns one metrics record per optimizer step.</summary>
    public List<UpdateMetrics> Run(int epoch, IReadOnlyList<RolloutBatch> batches, Random random)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(random);
        var order = batches.Where(b => b.Trained.Any(t => t)).OrderBy(_ => random.Next()).ToList();
        var updates = Math.Min(_config.Train.UpdatesPerEpoch, Math.Max(1, order.Count));
        var metrics = new List<UpdateMetrics>();
        FirstUpdateMaxRatioDeviation = 0;
        _objective.BeginEpoch(epoch);
        for (var u = 0; u < updates && order.Count > 0; u++)
        {
            var group = order.Where((_, i) => i * updates / order.Count == u).ToList();
            var stats = new UpdateStats();
            foreach (var batch in group)
            {
                _objective.Accumulate(batch, 1.0 / group.Count, stats);
            }
            if (u == 0)
            {
                FirstUpdateMaxRatioDeviation = stats.MaxRatioDeviation;
            }
            var gradNorm = StageTimes.Time(StageTimes.GradClip, () => GradClip.ClipGradNorm(_optimizer.Parameters, _config.Train.MaxGradNorm));
            StageTimes.Time(StageTimes.OptimizerStep, _optimizer.Step);
            _optimizer.ZeroGrad();
            GlobalStep++;
            if (_policy.Ema is not null && GlobalStep % _config.Train.EmaUpdateEvery == 0)
            {
                StageTimes.Time(StageTimes.EmaUpdate, () => _policy.Ema.Update(Math.Min((1.0 + GlobalStep) / (10.0 + GlobalStep), _config.Train.EmaDecay)));
            }
            metrics.Add(stats.ToMetrics(epoch, GlobalStep, gradNorm));
        }
        _policy.AdvanceSamplingPolicy(_config.Train.NftSamplingDecay);
        return metrics;
    }
}
