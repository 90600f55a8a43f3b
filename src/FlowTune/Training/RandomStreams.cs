namespace FlowTune.Training;

/// <summary>
/// The one table of random-stream ids (<see cref="Seeds.Derive"/>'s <c>stream</c>). Every draw of the project comes
/// from (seed, stream, index), so two purposes that share a seed must never share a stream id. Ids are grouped by the
/// seed they are used with: the pretraining seed, the evaluation seed (<c>EvalOptions.Seed</c>), the RL run seed.
/// Changing an id changes every number drawn from that stream: runs are reproducible only with the same table.
/// </summary>
public static class RandomStreams
{
    /// <summary>Pretraining: the data batch of each step (index: step).</summary>
    public const long PretrainData = 1;

    /// <summary>Pretraining: the noise and times of each step (index: step).</summary>
    public const long PretrainNoise = 2;

    /// <summary>Pretraining: the initial weights of the caption-structure head (index: 0).</summary>
    public const long PretrainCaptionHead = 3;

    /// <summary>
    /// Evaluation: the initial noise of each sampling batch (index: the batch's first job). Used with the evaluation's
    /// own seed, never with a pretraining seed, so sharing the number 3 with <see cref="PretrainCaptionHead"/> draws
    /// nothing twice; it is kept so that earlier evaluations reproduce.
    /// </summary>
    public const long EvalNoise = 3;

    /// <summary>RL: the prompts of each epoch (index: epoch).</summary>
    public const long RlPrompts = 11;

    /// <summary>RL: the SDE noise of each rollout batch (index: epoch·10⁶ + round·10⁵ + first slot).</summary>
    public const long RlRolloutNoise = 12;

    /// <summary>RL: the order in which an epoch's rollout batches are split into updates (index: epoch).</summary>
    public const long RlUpdateShuffle = 13;

    /// <summary>
    /// RL: the shared initial noise x_1 of each group with <c>sample.same_initial_noise</c> (index: epoch·10⁵ + group).
    /// Was 13 before, the same id as <see cref="RlUpdateShuffle"/>; runs with shared initial noise draw other noise now.
    /// </summary>
    public const long RlGroupInitialNoise = 14;

    /// <summary>RL, NFT objective: the re-noising times and noise of each epoch's updates (index: epoch).</summary>
    public const long RlNftRenoising = 17;

    /// <summary>RL, AWM objective: the training times and forward noise of each epoch's updates (index: epoch).</summary>
    public const long RlAwmNoising = 18;

    /// <summary>Every id with its name (for the uniqueness test and for docs).</summary>
    public static IReadOnlyList<(string Name, string Seed, long Id)> All { get; } =
    [
        (nameof(PretrainData), "pretrain", PretrainData),
        (nameof(PretrainNoise), "pretrain", PretrainNoise),
        (nameof(PretrainCaptionHead), "pretrain", PretrainCaptionHead),
        (nameof(EvalNoise), "eval", EvalNoise),
        (nameof(RlPrompts), "rl", RlPrompts),
        (nameof(RlRolloutNoise), "rl", RlRolloutNoise),
        (nameof(RlUpdateShuffle), "rl", RlUpdateShuffle),
        (nameof(RlGroupInitialNoise), "rl", RlGroupInitialNoise),
        (nameof(RlNftRenoising), "rl", RlNftRenoising),
        (nameof(RlAwmNoising), "rl", RlAwmNoising),
    ];
}
