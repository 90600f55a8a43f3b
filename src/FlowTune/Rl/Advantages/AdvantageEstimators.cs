using FlowTune.Rl.Config;
using FlowTune.Rl.SuperFlow;

namespace FlowTune.Rl.Advantages;

/// <summary>The advantage estimators a config can name in <c>advantages.name</c>.</summary>
public static class AdvantageEstimators
{
    /// <summary>group: group-normalised (Flow-GRPO); step: FlowTune's step-level advantages; tracker: SuperFlow's tracker baseline.</summary>
    public static OptionsRegistry<IAdvantageOptions> Registry { get; } = new("advantages",
        ("group", typeof(GroupAdvantageOptions)),
        ("step", typeof(StepAdvantageOptions)),
        ("tracker", typeof(TrackerAdvantageOptions)));
}
