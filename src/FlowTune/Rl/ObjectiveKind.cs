namespace FlowTune.Rl;

/// <summary>What an RL update minimises (<c>train.objective</c>).</summary>
public enum ObjectiveKind
{
    /// <summary>Flow-GRPO: PPO-clip on SDE transition likelihoods plus β·KL (docs/ALGORITHMS.md §5.4).</summary>
    Grpo,
    /// <summary>
    /// Negative-aware fine-tuning on the forward process (DiffusionNFT, docs/ALGORITHMS.md §7): likelihood-free, trains
    /// the flow-matching loss on the rollouts' final images.
    /// </summary>
    Nft,
}
