using FlowTune.Rl.Config;
using FlowTune.Rl.SuperFlow;

namespace FlowTune.Rl.Groups;

/// <summary>The group planners a config can name in <c>groups.name</c>.</summary>
public static class GroupPlanners
{
    /// <summary>fixed: P prompts × K images (Flow-GRPO); adaptive: FlowTune's variance-aware sizes; uncertainty: SuperFlow's as published.</summary>
    public static OptionsRegistry<IGroupOptions> Registry { get; } = new("groups",
        ("fixed", typeof(FixedGroupOptions)),
        ("adaptive", typeof(AdaptiveGroupOptions)),
        ("uncertainty", typeof(UncertaintyGroupOptions)));
}
