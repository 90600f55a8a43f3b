using FlowTune.Models.Pretrained;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// The fields of transformers' <c>T5Config</c> (<c>text_encoder_3/config.json</c>) that <see cref="T5Encoder"/>
/// implements: the encoder stack of T5 v1.1 (gated-GELU feed-forward, untied relative position buckets).
/// Decoder fields in the config are accepted and unused (SD3 loads only the encoder).
/// </summary>
public sealed record T5Config
{
    /// <summary>Token vocabulary size (32128 for T5-XXL).</summary>
    public int VocabSize { get; init; } = 32128;

    /// <summary>Model width (4096 for T5-XXL).</summary>
    public int DModel { get; init; } = 512;

    /// <summary>Width of one head's keys and values (heads × d_kv need not equal d_model).</summary>
    public int DKv { get; init; } = 64;

    /// <summary>Feed-forward hidden width.</summary>
    public int DFf { get; init; } = 2048;

    /// <summary>Encoder layers.</summary>
    public int NumLayers { get; init; } = 6;

    /// <summary>Attention heads.</summary>
    public int NumHeads { get; init; } = 8;

    /// <summary>Buckets of the relative-position bias (half for each direction in the encoder).</summary>
    public int RelativeAttentionNumBuckets { get; init; } = 32;

    /// <summary>Distance beyond which relative positions share the last bucket.</summary>
    public int RelativeAttentionMaxDistance { get; init; } = 128;

    /// <summary>RMS norm epsilon.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-6;

    /// <summary>True for gated-GELU (<c>wi_0</c>, <c>wi_1</c>; T5 v1.1, SD3), false for the original ReLU (<c>wi</c>).</summary>
    public bool GatedGelu { get; init; } = true;

    /// <summary>Reads <paramref name="path"/>; every unsupported or inconsistent field is reported together.</summary>
    public static T5Config Load(string path)
    {
        string[] ignorable =
        [
            .. ClipTextConfig.Bookkeeping, "decoder_start_token_id", "eos_token_id", "num_decoder_layers", "dropout_rate",
            "initializer_factor", "is_gated_act", "dense_act_fn", "classifier_dropout", "output_past", "n_positions",
        ];
        var json = ConfigJson.Open(path, ignorable);
        json.Require(json.StringList("architectures") is var a && (a.Length == 0 || a.All(x => x is "T5EncoderModel" or "T5ForConditionalGeneration" or "T5Model")),
            "architectures", "expected [\"T5EncoderModel\"]");
        var config = new T5Config
        {
            VocabSize = json.Int("vocab_size", 32128, min: 1),
            DModel = json.Int("d_model", 512, min: 1),
            DKv = json.Int("d_kv", 64, min: 1),
            DFf = json.Int("d_ff", 2048, min: 1),
            NumLayers = json.Int("num_layers", 6, min: 1),
            NumHeads = json.Int("num_heads", 8, min: 1),
            RelativeAttentionNumBuckets = json.Int("relative_attention_num_buckets", 32, min: 2),
            RelativeAttentionMaxDistance = json.Int("relative_attention_max_distance", 128, min: 1),
            LayerNormEpsilon = json.Double("layer_norm_epsilon", 1e-6),
            GatedGelu = (json.OneOf("feed_forward_proj", "relu", "gated-gelu") ?? "relu") == "gated-gelu",
        };
        json.OneOf("model_type", null, "t5");
        json.ThrowIfProblems("T5 encoder");
        return config;
    }
}
