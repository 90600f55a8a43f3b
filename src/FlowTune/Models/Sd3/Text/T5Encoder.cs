using FlowTune.Models.Pretrained;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// transformers' <c>T5EncoderModel</c> with its state-dict keys (<c>shared</c>, <c>encoder.block.i.layer.…</c>,
/// <c>encoder.final_layer_norm</c>): token embeddings (no positions), pre-norm blocks of self-attention with a
/// bucketed relative-position bias (computed by block 0, shared by all) and a gated-GELU feed-forward, RMS norms
/// without mean or bias, and no 1/√d scaling of attention scores (docs/SD3.md "Text encoders").
/// </summary>
public sealed class T5Encoder : Module
{
    private readonly Embedding _shared;
    private readonly List<Block> _blocks = [];
    private readonly RmsNorm _finalNorm;

    /// <summary>Creates the encoder with placeholder weights (load real ones with <see cref="FromPretrained"/>).</summary>
    public T5Encoder(T5Config config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _shared = RegisterModule("shared", new Embedding(config.VocabSize, config.DModel, generator));
        var encoder = RegisterModule("encoder", new ModuleGroup());
        var blocks = encoder.Add("block", new ModuleGroup());
        for (var i = 0; i < config.NumLayers; i++)
        {
            _blocks.Add(blocks.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Block(config, hasRelativeBias: i == 0, generator)));
        }
        _finalNorm = encoder.Add("final_layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
    }

    /// <summary>The configuration the encoder was built from.</summary>
    public T5Config Config { get; }

    /// <summary>
    /// Loads a transformers folder (<c>config.json</c> + <c>model.safetensors</c> or shards). The tied copy
    /// <c>encoder.embed_tokens.weight</c> some exports store beside <c>shared.weight</c> is skipped.
    /// </summary>
    public static T5Encoder FromPretrained(string folder)
    {
        var config = T5Config.Load(Path.Combine(folder, "config.json"));
        return PretrainedWeights.Build(folder, "model", generator => new T5Encoder(config, generator), key => key == "encoder.embed_tokens.weight");
    }

    /// <summary>ids [B, L] (int64) → last hidden state [B, L, d_model] (after the final norm; SD3 attends to every position).</summary>
    public Tensor Forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = TensorScope.Enter();
        var h = _shared.Forward(ids);                                  // [B, L, D]
        var bias = _blocks[0].PositionBias(ids.Size(1));               // [1, H, L, L]
        foreach (var block in _blocks)
        {
            h = block.Forward(h, bias);
        }
        return scope.MoveToOuter(_finalNorm.Forward(h));
    }

    /// <summary>
    /// T5's bidirectional bucket of a relative position r = key − query. With nb = buckets / 2 per direction and
    /// exact = nb / 2: bucket = (r &gt; 0 ? nb : 0) + (|r| &lt; exact ? |r| :
    /// min(nb − 1, exact + trunc(ln(|r| / exact) / ln(max_distance / exact) · (nb − exact)))), the log term in
    /// float32 as transformers computes it (the constant ln(max_distance / exact) in float64, then rounded).
    /// </summary>
    public static long Bucket(long relative, int numBuckets, int maxDistance)
    {
        var half = numBuckets / 2;
        var bucket = relative > 0 ? half : 0;
        var distance = Math.Abs(relative);
        var exact = half / 2;
        if (distance < exact)
        {
            return bucket + distance;
        }
        var large = exact + (long)(MathF.Log((float)distance / exact) / (float)Math.Log((double)maxDistance / exact) * (half - exact));
        return bucket + Math.Min(large, half - 1);
    }

    /// <summary>One block: x + attn(norm x), then x + ff(norm x).</summary>
    private sealed class Block : Module
    {
        private readonly T5Config _config;
        private readonly RmsNorm _attnNorm;
        private readonly Linear _q;
        private readonly Linear _k;
        private readonly Linear _v;
        private readonly Linear _o;
        private readonly Embedding? _relativeBias;
        private readonly RmsNorm _ffNorm;
        private readonly Linear _wi0;
        private readonly Linear? _wi1;
        private readonly Linear _wo;

        public Block(T5Config config, bool hasRelativeBias, Generator generator)
        {
            _config = config;
            var inner = (long)config.NumHeads * config.DKv;
            var layer = RegisterModule("layer", new ModuleGroup());
            var attnLayer = layer.Add("0", new ModuleGroup());
            var attn = attnLayer.Add("SelfAttention", new ModuleGroup());
            _q = attn.Add("q", new Linear(config.DModel, inner, generator, bias: false));
            _k = attn.Add("k", new Linear(config.DModel, inner, generator, bias: false));
            _v = attn.Add("v", new Linear(config.DModel, inner, generator, bias: false));
            _o = attn.Add("o", new Linear(inner, config.DModel, generator, bias: false));
            if (hasRelativeBias)
            {
                _relativeBias = attn.Add("relative_attention_bias", new Embedding(config.RelativeAttentionNumBuckets, config.NumHeads, generator));
            }
            _attnNorm = attnLayer.Add("layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
            var ffLayer = layer.Add("1", new ModuleGroup());
            var ff = ffLayer.Add("DenseReluDense", new ModuleGroup());
            if (config.GatedGelu)
            {
                _wi0 = ff.Add("wi_0", new Linear(config.DModel, config.DFf, generator, bias: false));
                _wi1 = ff.Add("wi_1", new Linear(config.DModel, config.DFf, generator, bias: false));
            }
            else
            {
                _wi0 = ff.Add("wi", new Linear(config.DModel, config.DFf, generator, bias: false));
            }
            _wo = ff.Add("wo", new Linear(config.DFf, config.DModel, generator, bias: false));
            _ffNorm = ffLayer.Add("layer_norm", new RmsNorm(config.DModel, config.LayerNormEpsilon));
        }

        /// <summary>The bias of block 0's table for L positions: [1, H, L(query), L(key)].</summary>
        public Tensor PositionBias(long length)
        {
            using var scope = TensorScope.Enter();
            var buckets = new long[length * length];
            for (var q = 0; q < length; q++)
            {
                for (var k = 0; k < length; k++)
                {
                    buckets[q * length + k] = Bucket(k - q, _config.RelativeAttentionNumBuckets, _config.RelativeAttentionMaxDistance);
                }
            }
            using var index = Tensor.FromArray(buckets, length, length);
            var values = F.Embedding(_relativeBias!.Weight, index);           // [L, L, H]
            return scope.MoveToOuter(values.Permute(2, 0, 1).Unsqueeze(0));   // [1, H, L, L]
        }

        public Tensor Forward(Tensor x, Tensor bias)
        {
            using var scope = TensorScope.Enter();
            var h = _attnNorm.Forward(x);
            var q = Heads(_q.Forward(h));                                      // [B, H, L, dkv]
            var k = Heads(_k.Forward(h));
            var v = Heads(_v.Forward(h));
            var scores = q.Matmul(k.Transpose(-2, -1)) + bias;                 // [B, H, L, L], no 1/√d
            var o = F.Softmax(scores.To(DType.Float32), -1).To(scores.DType).Matmul(v); // [B, H, L, dkv]
            x = x + _o.Forward(F.MergeHeads(o));
            var f = _ffNorm.Forward(x);
            var hidden = _wi1 is null ? F.Relu(_wi0.Forward(f)) : F.Gelu(_wi0.Forward(f), tanhApproximation: true) * _wi1.Forward(f);
            return scope.MoveToOuter(x + _wo.Forward(hidden));
        }

        private Tensor Heads(Tensor x) => F.SplitHeads(x, _config.NumHeads); // [B, L, H·dkv] → [B, H, L, dkv]
    }
}
