using FlowTune.Rl.Prompts;

namespace FlowTune.Rl.Groups;

/// <summary>
/// One round of an epoch's rollouts, as a group planner decides it: the epoch's groups so far (group id = index;
/// later rounds may add groups) and the group id of every rollout of this round.
/// </summary>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Index">Round number; it is part of the rollout noise seed (fixed groups: 0; adaptive: 1, 2).</param>
/// <param name="Groups">The prompt of every group of the epoch so far.</param>
/// <param name="Slots">Group id of each rollout of this round, in sampling order.</param>
public sealed record GroupRound(int Epoch, int Index, IReadOnlyList<PromptItem> Groups, IReadOnlyList<int> Slots);
