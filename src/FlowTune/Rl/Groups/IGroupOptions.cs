namespace FlowTune.Rl.Groups;

/// <summary>Options of a group planner (<c>groups: {name: …}</c>; see <see cref="GroupPlanners"/>).</summary>
public interface IGroupOptions
{
    /// <summary>Images sampled per epoch (the budget every planner spends).</summary>
    int ImagesPerEpoch { get; }

    /// <summary>Whether groups can differ in size (the advantage estimator's small-group correction follows it by default).</summary>
    bool VariableGroupSizes { get; }

    /// <summary>One line for the start of a run, e.g. "8 prompts × 12 images per epoch".</summary>
    string Describe();

    /// <summary>Every problem with the values, each naming the field and the value.</summary>
    IEnumerable<string> Validate();

    /// <summary>
    /// The planner; <paramref name="seed"/> is the run seed (prompt draws derive from it); <paramref name="trackers"/>
    /// are the run's per-prompt success trackers (planners that read them require them).
    /// </summary>
    IGroupPlanner Create(int seed, SuperFlow.PromptSuccessTrackers? trackers = null);
}
