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
        if (MaxSequenceLength is < 1 or > 512)
        {
            yield return $"max_sequence_length must be in [1, 512], got {MaxSequenceLength}";
        }
    }
}
