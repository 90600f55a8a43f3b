namespace FlowTune.Models.UNet;

/// <summary>
/// Shape of the convolutional U-Net (SD1.5 family): one residual block per level, cross-attention to the text
/// tokens at the levels listed in <see cref="CrossAttentionLevels"/>, self+cross attention and an MLP at the
/// bottleneck, additive skips.
/// </summary>
public sealed record UNetConfig
{
    /// <summary>Channels per resolution level, highest resolution first (each level halves H and W).</summary>
    public int[] Channels { get; init; } = [32, 64, 128];

    /// <summary>Levels (indices into <see cref="Channels"/>) whose blocks cross-attend to text; the bottleneck always does.</summary>
    public int[] CrossAttentionLevels { get; init; } = [1];

    /// <summary>Width of the time + pooled-text embedding.</summary>
    public int EmbeddingWidth { get; init; } = 128;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>GroupNorm groups (must divide every channel count).</summary>
    public int Groups { get; init; } = 8;

    /// <summary>
    /// Sinusoidal position features given to every attention block (<see cref="PositionCode"/>; a multiple of 4,
    /// 0 = none). Without them attention cannot tell where a pixel is, which prompts like "a circle left of a square"
    /// need; 0 keeps models saved before this option loading unchanged.
    /// </summary>
    public int PositionFeatures { get; init; }

    /// <summary>Every problem with these values.</summary>
    public IEnumerable<string> Validate()
    {
        if (Channels.Length < 2)
        {
            yield return $"unet.channels needs at least 2 levels, got {Channels.Length}";
        }
        foreach (var c in Channels)
        {
            if (c < Groups || c % Groups != 0 || c % Heads != 0)
            {
                yield return $"unet.channels entry {c} must be a multiple of groups ({Groups}) and heads ({Heads})";
            }
        }
        foreach (var level in CrossAttentionLevels)
        {
            if (level < 0 || level >= Channels.Length - 1)
            {
                yield return $"unet.cross_attention_levels entry {level} is not a level above the bottleneck (0..{Channels.Length - 2})";
            }
        }
        if (PositionFeatures < 0 || PositionFeatures % 4 != 0 || PositionFeatures > 64)
        {
            yield return $"unet.position_features must be 0 or a multiple of 4 up to 64, got {PositionFeatures}";
        }
        if (EmbeddingWidth < 8)
        {
            yield return $"unet.embedding_width must be >= 8, got {EmbeddingWidth}";
        }
    }
}
