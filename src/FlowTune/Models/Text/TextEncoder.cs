using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Text;

/// <summary>
/// A small transformer text encoder, trained jointly with the velocity model: token + learned position embeddings,
/// pre-norm layers, final LayerNorm. Pooled vector = mean of the non-padding token outputs.
/// </summary>
public sealed class TextEncoder : Module
{
    private readonly Embedding _tokens;
    private readonly Tensor _positions;
    private readonly List<TransformerLayer> _layers = [];
    private readonly LayerNorm _norm;

    /// <summary>Creates the encoder for a tokenizer's vocabulary.</summary>
    public TextEncoder(TextEncoderConfig config, Tokenizer tokenizer, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.MaxLength > config.MaxLength)
        {
            throw new ArgumentException($"tokenizer max length {tokenizer.MaxLength} exceeds the encoder's {config.MaxLength} positions");
        }
        Config = config;
        Tokenizer = tokenizer;
        _tokens = RegisterModule("token_embedding", new Embedding(tokenizer.Vocabulary.Count, config.Width, generator, std: 0.02));
        _positions = RegisterParameter("position_embedding", Init.Normal([config.MaxLength, config.Width], 0.02, generator));
        for (var k = 0; k < config.Depth; k++)
        {
            _layers.Add(RegisterModule($"layer{k}", new TransformerLayer(config.Width, config.Heads, generator)));
        }
        _norm = RegisterModule("norm", new LayerNorm(config.Width));
    }

    /// <summary>The encoder's shape.</summary>
    public TextEncoderConfig Config { get; }

    /// <summary>The tokenizer that produced the vocabulary.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Encodes prompts ("" is the unconditional prompt).</summary>
    public TextBatch Encode(IReadOnlyList<string> prompts)
    {
        using var scope = TensorScope.Enter();
        var ids = Tokenizer.EncodeBatch(prompts);                 // [B, L] int64
        var padding = ids.Eq(Tokenizer.PadId);                      // [B, L] bool
        var x = _tokens.Forward(ids) + _positions.Narrow(0, 0, ids.Size(1)); // [B, L, D]
        foreach (var layer in _layers)
        {
            x = layer.Forward(x, padding);
        }
        x = _norm.Forward(x);                                       // [B, L, D]
        var keep = padding.LogicalNot().To(x.DType).Unsqueeze(-1);  // [B, L, 1]
        var pooled = (x * keep).Sum(1) / keep.Sum(1);               // [B, D]
        var result = new TextBatch(x, padding, pooled);
        scope.MoveToOuter([x, padding, pooled]);
        return result;
    }
}
