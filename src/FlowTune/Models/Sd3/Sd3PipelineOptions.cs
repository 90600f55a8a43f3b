using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>How an SD3 pipeline folder is loaded and run.</summary>
public sealed record Sd3PipelineOptions
{
    /// <summary>Image height in pixels; null: the transformer's sample_size × the VAE's scale (1024 for SD3.5-Medium).</summary>
    public int? Height { get; init; }

    /// <summary>Image width in pixels; null as <see cref="Height"/>.</summary>
    public int? Width { get; init; }

    /// <summary>T5 tokens per prompt (diffusers' <c>max_sequence_length</c>, default 256, at most 512).</summary>
    public int MaxSequenceLength { get; init; } = 256;

    /// <summary>Load T5 (text_encoder_3); false drops it as diffusers' <c>text_encoder_3=None</c> does (its part of the prompt is zeros; saves ~19 GB in F32 for SD3.5).</summary>
    public bool LoadT5 { get; init; } = true;

    /// <summary>
    /// Prompts whose embeddings are kept (on the CPU, least recently used dropped first): the text encoders are
    /// frozen, so a prompt seen again (RL draws from a fixed prompt set every epoch) is not encoded again. Each entry
    /// is (77 + max_sequence_length) × joint_attention_dim floats (5.5 MB for SD3.5 with 256 T5 tokens); 0 turns
    /// the cache off.
    /// </summary>
    public int PromptCacheSize { get; init; } = 256;

    /// <summary>
    /// no (float32 everywhere), bf16 or fp16 (CUDA only): the text encoders, VAE and transformer are stored in that
    /// type and every forward runs under autocast, with outputs (velocities, embeddings, pixels) returned in float32
    /// so SDE steps, log-probabilities and losses stay float32. Training keeps its parameters in float32: LoRA
    /// adapters are made in float32, and full fine-tuning casts the transformer back to float32 master weights.
    /// Halves the weights' memory (33 → 17 GB for SD3.5-Medium).
    /// </summary>
    public MixedPrecision MixedPrecision { get; init; } = MixedPrecision.No;

    /// <summary>Every problem with these values.</summary>
    public IEnumerable<string> Validate()
    {
        if (Height is <= 0)
        {
            yield return $"height must be positive, got {Height}";
        }
        if (Width is <= 0)
        {
            yield return $"width must be positive, got {Width}";
        }
        if (PromptCacheSize < 0)
        {
            yield return $"prompt_cache_size must be >= 0, got {PromptCacheSize}";
        }
        if (!Enum.IsDefined(MixedPrecision))
        {
            yield return $"mixed_precision must be no, bf16 or fp16, got {MixedPrecision}";
        }
        if (MaxSequenceLength is < 1 or > 512)
        {
            yield return $"max_sequence_length must be in [1, 512], got {MaxSequenceLength}";
        }
    }
}
