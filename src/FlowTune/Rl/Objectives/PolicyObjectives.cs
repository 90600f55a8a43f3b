using FlowTune.Rl.Config;

namespace FlowTune.Rl.Objectives;

/// <summary>The objectives a config can name in <c>objective.name</c>.</summary>
public static class PolicyObjectives
{
    /// <summary>grpo: Flow-GRPO's PPO-clip + KL; nft: DiffusionNFT; awm: advantage weighted matching.</summary>
    public static OptionsRegistry<IObjectiveOptions> Registry { get; } = new("objective",
        ("grpo", typeof(FlowGrpoOptions)),
        ("nft", typeof(NftOptions)),
        ("awm", typeof(AwmOptions)));
}
