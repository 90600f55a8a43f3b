using FlowTune.Models.Pretrained;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// The fields of transformers' <c>CLIPTextConfig</c> (<c>text_encoder/config.json</c>, <c>text_encoder_2/</c>) that
/// <see cref="ClipTextModel"/> implements. Training-only fields (dropout, initialiser ranges) are accepted and unused.
/// </summary>
public sealed record ClipTextConfig
{
    /// <summary>Token vocabulary size (49408 for SD3's CLIPs).</summary>
    public int VocabSize { get; init; } = 49408;

    /// <summary>Model width (768 CLIP-L, 1280 CLIP-G).</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>MLP hidden width.</summary>
    public int IntermediateSize { get; init; } = 2048;

    /// <summary>Width of the projected pooled output (<c>text_projection</c>).</summary>
    public int ProjectionDim { get; init; } = 512;

    /// <summary>Encoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Attention heads.</summary>
    public int NumAttentionHeads { get; init; } = 8;

    /// <summary>Learned positions (77): the longest token sequence.</summary>
    public int MaxPositionEmbeddings { get; init; } = 77;

    /// <summary>MLP activation: <c>quick_gelu</c> (x·σ(1.702x), CLIP-L) or <c>gelu</c> (exact, CLIP-G).</summary>
    public string HiddenAct { get; init; } = "quick_gelu";

    /// <summary>LayerNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>
    /// The end-of-text id that picks the pooled token. transformers' legacy rule: when it is 2 (old configs) the
    /// pooled token is the one with the highest id (argmax; &lt;|endoftext|&gt; is the last id of CLIP's vocabulary),
    /// otherwise the first occurrence of this id.
    /// </summary>
    public int EosTokenId { get; init; } = 2;

    /// <summary>Fields transformers' configs carry that do not change inference.</summary>
    internal static readonly string[] Bookkeeping =
    [
        "architectures", "model_type", "torch_dtype", "dtype", "transformers_version", "attention_dropout", "dropout",
        "initializer_factor", "initializer_range", "bos_token_id", "pad_token_id", "projection_dim_", "name_or_path",
        "output_hidden_states", "output_attentions", "use_return_dict", "return_dict", "id2label", "label2id",
        "tie_word_embeddings", "is_encoder_decoder", "is_decoder", "add_cross_attention", "chunk_size_feed_forward",
        "problem_type", "tokenizer_class", "prefix", "task_specific_params", "use_cache", "gradient_checkpointing",
    ];

    /// <summary>Reads <paramref name="path"/>; every unsupported or inconsistent field is reported together.</summary>
    public static ClipTextConfig Load(string path)
    {
        var json = ConfigJson.Open(path, Bookkeeping);
        json.Require(json.StringList("architectures") is var a && (a.Length == 0 || a.SequenceEqual(["CLIPTextModelWithProjection"]) || a.SequenceEqual(["CLIPTextModel"])),
            "architectures", "expected [\"CLIPTextModelWithProjection\"]");
        var config = new ClipTextConfig
        {
            VocabSize = json.Int("vocab_size", 49408, min: 1),
            HiddenSize = json.Int("hidden_size", 512, min: 1),
            IntermediateSize = json.Int("intermediate_size", 2048, min: 1),
            ProjectionDim = json.Int("projection_dim", 512, min: 1),
            NumHiddenLayers = json.Int("num_hidden_layers", 12, min: 1),
            NumAttentionHeads = json.Int("num_attention_heads", 8, min: 1),
            MaxPositionEmbeddings = json.Int("max_position_embeddings", 77, min: 1),
            HiddenAct = json.OneOf("hidden_act", "quick_gelu", "gelu") ?? "quick_gelu",
            LayerNormEps = json.Double("layer_norm_eps", 1e-5),
            EosTokenId = json.Int("eos_token_id", 2),
        };
        json.OneOf("model_type", null, "clip_text_model");
        json.Require(config.HiddenSize % config.NumAttentionHeads == 0, "hidden_size", $"expected a multiple of num_attention_heads {config.NumAttentionHeads}");
        json.Require(config.NumHiddenLayers >= 2, "num_hidden_layers", "expected ≥ 2 (SD3 uses the penultimate layer's output)");
        json.ThrowIfProblems("CLIP text encoder");
        return config;
    }
}
