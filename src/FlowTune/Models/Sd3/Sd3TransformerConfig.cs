using FlowTune.Models.Pretrained;

namespace FlowTune.Models.Sd3;

/// <summary>
/// The fields of diffusers' <c>SD3Transformer2DModel</c> config (<c>transformer/config.json</c>) that FlowTune
/// implements. Names and defaults are diffusers'; SD3-Medium and SD3.5-Medium/Large configs load as they are.
/// </summary>
public sealed record Sd3TransformerConfig
{
    /// <summary>Latent size (in latent pixels) the model was trained at; only recorded, the position buffer is cropped to each input.</summary>
    public int SampleSize { get; init; } = 128;

    /// <summary>Side of the square patches the latent is cut into (2 for SD3).</summary>
    public int PatchSize { get; init; } = 2;

    /// <summary>Latent channels in (16 for SD3).</summary>
    public int InChannels { get; init; } = 16;

    /// <summary>Latent channels out (diffusers: null means <see cref="InChannels"/>).</summary>
    public int OutChannels { get; init; } = 16;

    /// <summary>Number of joint blocks; the last one's text stream is "context pre-only" (keys and values only).</summary>
    public int NumLayers { get; init; } = 18;

    /// <summary>Width of one attention head.</summary>
    public int AttentionHeadDim { get; init; } = 64;

    /// <summary>Heads per attention; the model width is heads × head width.</summary>
    public int NumAttentionHeads { get; init; } = 18;

    /// <summary>Width of the text tokens fed in (4096: T5-XXL's width, CLIP zero-padded to it).</summary>
    public int JointAttentionDim { get; init; } = 4096;

    /// <summary>Width the context embedder projects text tokens to; must equal the model width.</summary>
    public int CaptionProjectionDim { get; init; } = 1152;

    /// <summary>Width of the pooled text vector (2048: CLIP-L's 768 + CLIP-G's 1280).</summary>
    public int PooledProjectionDim { get; init; } = 2048;

    /// <summary>Side (in patches) of the stored square position buffer <c>pos_embed.pos_embed</c>; inputs are cropped from its centre.</summary>
    public int PosEmbedMaxSize { get; init; } = 96;

    /// <summary>Blocks (by index) that also run a second, image-only self-attention (SD3.5's MMDiT-X).</summary>
    public IReadOnlyList<int> DualAttentionLayers { get; init; } = [];

    /// <summary>Query/key normalisation: false for none (SD3), true for RMSNorm per head (SD3.5's <c>qk_norm: rms_norm</c>).</summary>
    public bool QkRmsNorm { get; init; }

    /// <summary>Model width (heads × head width).</summary>
    public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>Reads <paramref name="path"/>; every unsupported or inconsistent field is reported together.</summary>
    public static Sd3TransformerConfig Load(string path)
    {
        var json = ConfigJson.Open(path);
        var className = json.String("_class_name");
        json.Require(className is null or "SD3Transformer2DModel", "_class_name", "expected \"SD3Transformer2DModel\"");
        var inChannels = json.Int("in_channels", 16, min: 1);
        var config = new Sd3TransformerConfig
        {
            SampleSize = json.Int("sample_size", 128, min: 1),
            PatchSize = json.Int("patch_size", 2, min: 1),
            InChannels = inChannels,
            OutChannels = json.NullableInt("out_channels", min: 1) ?? inChannels,
            NumLayers = json.Int("num_layers", 18, min: 1),
            AttentionHeadDim = json.Int("attention_head_dim", 64, min: 1),
            NumAttentionHeads = json.Int("num_attention_heads", 18, min: 1),
            JointAttentionDim = json.Int("joint_attention_dim", 4096, min: 1),
            CaptionProjectionDim = json.Int("caption_projection_dim", 1152, min: 1),
            PooledProjectionDim = json.Int("pooled_projection_dim", 2048, min: 1),
            PosEmbedMaxSize = json.NullableInt("pos_embed_max_size", min: 1) ?? 0,
            DualAttentionLayers = json.IntList("dual_attention_layers"),
            QkRmsNorm = json.OneOf("qk_norm", null, "rms_norm") == "rms_norm",
        };
        json.Require(config.PosEmbedMaxSize > 0, "pos_embed_max_size", "expected a positive integer (SD3 stores a cropped position buffer; configs without one recompute sin-cos positions, which FlowTune does not support)");
        json.Require(config.CaptionProjectionDim == config.InnerDim, "caption_projection_dim",
            $"expected num_attention_heads × attention_head_dim = {config.InnerDim} (the joint blocks take text tokens at the model width)");
        json.Require(config.DualAttentionLayers.All(i => i >= 0 && i < config.NumLayers), "dual_attention_layers", $"expected block indices in [0, {config.NumLayers})");
        json.ThrowIfProblems("SD3 transformer");
        return config;
    }
}
