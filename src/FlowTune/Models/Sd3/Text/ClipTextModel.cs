using FlowTune.Models.Pretrained;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// transformers' <c>CLIPTextModelWithProjection</c> with its state-dict keys (<c>text_model.…</c>,
/// <c>text_projection</c>): token + learned position embeddings, pre-LN encoder layers with causal self-attention,
/// the final LayerNorm, and the projected pooled token. Gives what SD3 uses: the penultimate layer's hidden states
/// (before the final norm) and the projected pooled output (docs/SD3.md "Text encoders").
/// </summary>
public sealed class ClipTextModel : Module
{
    private readonly Embedding _tokens;
    private readonly Embedding _positions;
    private readonly List<EncoderLayer> _layers = [];
    private readonly LayerNorm _finalNorm;
    private readonly Linear _projection;

    /// <summary>Creates the encoder with placeholder weights (load real ones with <see cref="FromPretrained"/>).</summary>
    public ClipTextModel(ClipTextConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var textModel = RegisterModule("text_model", new ModuleGroup());
        var embeddings = textModel.Add("embeddings", new ModuleGroup());
        _tokens = embeddings.Add("token_embedding", new Embedding(config.VocabSize, config.HiddenSize, generator));
        _positions = embeddings.Add("position_embedding", new Embedding(config.MaxPositionEmbeddings, config.HiddenSize, generator));
        var layers = textModel.Add("encoder", new ModuleGroup()).Add("layers", new ModuleGroup());
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            _layers.Add(layers.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new EncoderLayer(config, generator)));
        }
        _finalNorm = textModel.Add("final_layer_norm", new LayerNorm(config.HiddenSize, config.LayerNormEps));
        _projection = RegisterModule("text_projection", new Linear(config.HiddenSize, config.ProjectionDim, generator, bias: false));
    }

    /// <summary>The configuration the encoder was built from.</summary>
    public ClipTextConfig Config { get; }

    /// <summary>
    /// Loads a transformers folder (<c>config.json</c> + <c>model.safetensors</c> or shards). The non-persistent
    /// <c>text_model.embeddings.position_ids</c> buffer that older exports contain is skipped.
    /// </summary>
    public static ClipTextModel FromPretrained(string folder)
    {
        var config = ClipTextConfig.Load(Path.Combine(folder, "config.json"));
        return PretrainedWeights.Build(folder, "model", generator => new ClipTextModel(config, generator), key => key == "text_model.embeddings.position_ids");
    }

    /// <summary>
    /// ids [B, L] (int64, L ≤ max_position_embeddings) → the final-normed last hidden state [B, L, D], the
    /// penultimate layer's hidden state [B, L, D] (no final norm; SD3's <c>hidden_states[-2]</c>) and the projected
    /// pooled output [B, projection_dim].
    /// </summary>
    public ClipTextOutput Forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = TensorScope.Enter();
        var s = ids.Shape;
        if (s[1] > Config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"{s[1]} tokens: CLIP takes at most max_position_embeddings = {Config.MaxPositionEmbeddings}");
        }
        using var positions = Tensor.Arange(s[1]);
        var h = F.Embedding(_tokens.Weight, ids) + F.Embedding(_positions.Weight, positions).Unsqueeze(0); // [B, L, D]
        var causal = Tensor.Full([s[1], s[1]], double.NegativeInfinity).Triu(1);                        // [L, L], −∞ above the diagonal
        Tensor? penultimate = null;
        for (var i = 0; i < _layers.Count; i++)
        {
            h = _layers[i].Forward(h, causal);
            if (i == _layers.Count - 2)
            {
                penultimate = h;
            }
        }
        var last = _finalNorm.Forward(h);                                                                // [B, L, D]
        var pooledIndex = Config.EosTokenId == 2 ? ids.Argmax(-1) : ids.Eq(Config.EosTokenId).To(DType.Int32).Argmax(-1); // [B]
        var pooled = last.Gather(1, pooledIndex.View(s[0], 1, 1).Expand(s[0], 1, last.Size(2))).Squeeze(1); // [B, D]
        var projected = _projection.Forward(pooled);                                                    // [B, P]
        scope.MoveToOuter([last, penultimate!, projected]);
        return new ClipTextOutput(last, penultimate!, projected);
    }

    /// <summary>One pre-LN encoder layer: x + attn(LN₁ x), then x + MLP(LN₂ x).</summary>
    private sealed class EncoderLayer : Module
    {
        private readonly int _heads;
        private readonly bool _quickGelu;
        private readonly LayerNorm _norm1;
        private readonly Linear _q;
        private readonly Linear _k;
        private readonly Linear _v;
        private readonly Linear _out;
        private readonly LayerNorm _norm2;
        private readonly Linear _fc1;
        private readonly Linear _fc2;

        public EncoderLayer(ClipTextConfig config, Generator generator)
        {
            _heads = config.NumAttentionHeads;
            _quickGelu = config.HiddenAct == "quick_gelu";
            var d = config.HiddenSize;
            var attn = RegisterModule("self_attn", new ModuleGroup());
            _k = attn.Add("k_proj", new Linear(d, d, generator));
            _v = attn.Add("v_proj", new Linear(d, d, generator));
            _q = attn.Add("q_proj", new Linear(d, d, generator));
            _out = attn.Add("out_proj", new Linear(d, d, generator));
            _norm1 = RegisterModule("layer_norm1", new LayerNorm(d, config.LayerNormEps));
            var mlp = RegisterModule("mlp", new ModuleGroup());
            _fc1 = mlp.Add("fc1", new Linear(d, config.IntermediateSize, generator));
            _fc2 = mlp.Add("fc2", new Linear(config.IntermediateSize, d, generator));
            _norm2 = RegisterModule("layer_norm2", new LayerNorm(d, config.LayerNormEps));
        }

        /// <summary>x [B, L, D], causal [L, L] additive → [B, L, D].</summary>
        public Tensor Forward(Tensor x, Tensor causal)
        {
            using var scope = TensorScope.Enter();
            var h = _norm1.Forward(x);
            var o = F.ScaledDotProductAttention(Heads(_q.Forward(h)), Heads(_k.Forward(h)), Heads(_v.Forward(h)), causal); // [B, H, L, Dh]
            x = x + _out.Forward(F.MergeHeads(o));
            var m = _fc1.Forward(_norm2.Forward(x));
            m = _quickGelu ? m * (m * 1.702).Sigmoid() : F.Gelu(m);
            return scope.MoveToOuter(x + _fc2.Forward(m));
        }

        private Tensor Heads(Tensor x) => F.SplitHeads(x, _heads); // [B, L, D] → [B, H, L, Dh]
    }
}

/// <summary>The outputs of <see cref="ClipTextModel.Forward"/> SD3 uses. Owns its tensors.</summary>
/// <param name="LastHiddenState">[B, L, D] after the final LayerNorm.</param>
/// <param name="Penultimate">[B, L, D] output of the second-to-last layer, no final norm (SD3's prompt embeddings).</param>
/// <param name="TextEmbeds">[B, projection_dim] projected pooled token (SD3's pooled embedding).</param>
public sealed record ClipTextOutput(Tensor LastHiddenState, Tensor Penultimate, Tensor TextEmbeds) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        LastHiddenState.Dispose();
        Penultimate.Dispose();
        TextEmbeds.Dispose();
    }
}
