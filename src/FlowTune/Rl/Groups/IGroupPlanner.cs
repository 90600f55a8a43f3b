using FlowTune.Rl.Prompts;

namespace FlowTune.Rl.Groups;

/// <summary>
/// Decides which prompts an epoch samples and how many images each gets, in one or more rounds (a round's rewards
/// may decide the next one). Planners that learn across epochs save their state in checkpoints.
/// </summary>
public interface IGroupPlanner
{
    /// <summary>The first round of <paramref name="epoch"/>, drawing from <paramref name="prompts"/>.</summary>
    GroupRound Begin(int epoch, PromptDraw prompts);

    /// <summary>
    /// The round after <paramref name="finished"/>, or null when the epoch is complete. <paramref name="rewards"/>
    /// gives the finished round's rewards per group id (waiting for them); planners that do not need them never call it.
    /// </summary>
    GroupRound? Next(GroupRound finished, Func<IReadOnlyList<IReadOnlyList<double>>> rewards);

    /// <summary>Writes the planner's state into a checkpoint folder (nothing for stateless planners).</summary>
    void Save(string directory);

    /// <summary>Restores what <see cref="Save"/> wrote (a missing file leaves the state empty).</summary>
    void Restore(string directory);
}
