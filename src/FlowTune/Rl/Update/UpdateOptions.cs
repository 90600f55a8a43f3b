using FlowTune.Nn;

namespace FlowTune.Rl.Update;

/// <summary>The update stage (<c>train.*</c>): what is trained, the optimizer, EMA.</summary>
public sealed record UpdateOptions
{
    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>AdamW β1.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW weight decay.</summary>
    public double AdamWeightDecay { get; init; } = 1e-4;

    /// <summary>AdamW ε.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Gradient-norm clip.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Optimizer steps per epoch (gradients are accumulated in between). Each step takes whole rollout batches, so
    /// an epoch makes at most one step per batch of <c>sample.batch_size</c> rollouts.
    /// </summary>
    public int UpdatesPerEpoch { get; init; } = 2;

    /// <summary>Keep EMA weights for evaluation and checkpoints.</summary>
    public bool Ema { get; init; } = true;

    /// <summary>Upper bound of the EMA decay min((1 + n)/(10 + n), cap).</summary>
    public double EmaDecay { get; init; } = 0.9;

    /// <summary>EMA update every N optimizer steps.</summary>
    public int EmaUpdateEvery { get; init; } = 8;

    /// <summary>Train LoRA adapters (true) or the whole velocity network (false; our small model's default).</summary>
    public bool UseLora { get; init; }

    /// <summary>LoRA rank.</summary>
    public int LoraRank { get; init; } = 32;

    /// <summary>LoRA alpha.</summary>
    public double LoraAlpha { get; init; } = 64;

    /// <summary>
    /// LoRA target layers (suffixes of Linear paths; our models' defaults). For an SD3 pipeline the reference trains
    /// <c>attn.to_q, attn.to_k, attn.to_v, attn.to_out.0, attn.add_q_proj, attn.add_k_proj, attn.add_v_proj,
    /// attn.to_add_out</c> (configs/sd3-tiny-grpo.yaml); a list that matches no layer is an error at start.
    /// </summary>
    public List<string> LoraTargets { get; init; } = ["q_proj", "k_proj", "v_proj", "out_proj", "qkv", "out"];

    /// <summary>
    /// How the adapters' A matrices start (B is zero, so the adapted model starts as the base either way):
    /// <c>uniform</c> (Kaiming-uniform, PEFT's default; our models' runs) or <c>gaussian</c> (N(0, 1/rank), what
    /// Flow-GRPO's SD3.5 runs use).
    /// </summary>
    public LoraInit LoraInit { get; init; } = LoraInit.Uniform;

    /// <summary>Every problem.</summary>
    public IEnumerable<string> Validate()
    {
        if (!(LearningRate > 0))
        {
            yield return $"train.learning_rate must be positive, got {LearningRate}";
        }
        if (!(AdamBeta1 is >= 0 and < 1) || !(AdamBeta2 is >= 0 and < 1))
        {
            yield return $"train.adam_beta1/adam_beta2 must be in [0, 1), got {AdamBeta1}/{AdamBeta2}";
        }
        if (UpdatesPerEpoch < 1)
        {
            yield return $"train.updates_per_epoch must be >= 1, got {UpdatesPerEpoch}";
        }
        if (!(MaxGradNorm > 0))
        {
            yield return $"train.max_grad_norm must be positive, got {MaxGradNorm}";
        }
        if (!(EmaDecay is >= 0 and < 1) || EmaUpdateEvery < 1)
        {
            yield return $"train.ema_decay must be in [0, 1) and ema_update_every >= 1, got {EmaDecay}, {EmaUpdateEvery}";
        }
        if (!Enum.IsDefined(LoraInit))
        {
            yield return $"train.lora_init must be uniform or gaussian, got {LoraInit}";
        }
        if (LoraTargets.Count == 0)
        {
            yield return "train.lora_targets must name at least one layer suffix";
        }
        if (LoraRank < 1 || !(LoraAlpha > 0))
        {
            yield return $"train.lora_rank must be >= 1 and lora_alpha > 0, got {LoraRank}, {LoraAlpha}";
        }
    }
}
