namespace FlowTune.Rl;

/// <summary>
/// The loss an RL update minimises on an epoch's rollouts. The updater owns the optimizer loop (grouping batches
/// into <c>updates_per_epoch</c> steps, clipping, EMA); an objective only accumulates gradients for one batch.
/// </summary>
public interface IPolicyObjective
{
    /// <summary>Called once per epoch before the first update (e.g. to seed the epoch's re-noising draws).</summary>
    void BeginEpoch(int epoch);

    /// <summary>
    /// Accumulates the gradient of this batch's loss, scaled by <paramref name="weight"/> (1 / batches in the
    /// update), and records its statistics.
    /// </summary>
    void Accumulate(RolloutBatch batch, double weight, UpdateStats stats);
}
