using FlowTune.Rewards;

namespace FlowTune.Rl.Scoring;

/// <summary>The rewards of one rollout batch, being scored on worker threads.</summary>
/// <param name="Final">Rewards of the final images.</param>
/// <param name="Values">
/// Values V_0 … V_T of every rollout [B][T + 1] (rewards of the one-step predictions, then the final reward), when
/// the advantage estimator asked for them; else null.
/// </param>
public sealed record PendingRewards(Task<RewardBatch> Final, Task<double[][]>? Values);
