using FlowTune.Models.Pretrained;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>SD3Transformer2DModel</c> (MMDiT, SD3 and SD3.5), with diffusers' state-dict keys so that a
/// pipeline's <c>transformer/</c> folder loads as it is. Forward follows diffusers: patch embedding with cropped
/// stored positions, conditioning = time MLP + pooled-text MLP, context embedder, the joint blocks, the final
/// <c>AdaLayerNormContinuous</c> (<c>norm_out</c>), <c>proj_out</c> and unpatchify.
/// </summary>
public sealed class Sd3Transformer : Module
{
    private readonly PatchEmbed _posEmbed;
    private readonly TimeTextEmbedding _timeText;
    private readonly Linear _contextEmbedder;
    private readonly List<Sd3JointBlock> _blocks = [];
    private readonly AdaLayerNorm _normOut;
    private readonly Linear _projOut;

    /// <summary>Creates the network with placeholder weights (load real ones with <see cref="FromPretrained"/>).</summary>
    public Sd3Transformer(Sd3TransformerConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var d = config.InnerDim;
        _posEmbed = RegisterModule("pos_embed", new PatchEmbed(config.InChannels, d, config.PatchSize, config.PosEmbedMaxSize, generator));
        _timeText = RegisterModule("time_text_embed", new TimeTextEmbedding(d, config.PooledProjectionDim, generator));
        _contextEmbedder = RegisterModule("context_embedder", new Linear(config.JointAttentionDim, config.CaptionProjectionDim, generator));
        var blocks = RegisterModule("transformer_blocks", new ModuleGroup());
        for (var i = 0; i < config.NumLayers; i++)
        {
            _blocks.Add(blocks.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new Sd3JointBlock(d, config.NumAttentionHeads, contextPreOnly: i == config.NumLayers - 1, config.QkRmsNorm, config.DualAttentionLayers.Contains(i), generator)));
        }
        _normOut = RegisterModule("norm_out", new AdaLayerNorm(d, 2, generator));
        _projOut = RegisterModule("proj_out", new Linear(d, (long)config.PatchSize * config.PatchSize * config.OutChannels, generator));
    }

    /// <summary>The configuration the network was built from.</summary>
    public Sd3TransformerConfig Config { get; }

    /// <summary>
    /// Loads a diffusers <c>transformer/</c> folder: <c>config.json</c> plus <c>diffusion_pytorch_model.safetensors</c>
    /// or its sharded form. Weights stored in F16/BF16 are upcast to float32. Nothing is returned half-loaded: any
    /// problem disposes the network and throws one error naming the file, the key and the shapes.
    /// </summary>
    public static Sd3Transformer FromPretrained(string folder)
    {
        var config = Sd3TransformerConfig.Load(Path.Combine(folder, "config.json"));
        return PretrainedWeights.Build(folder, "diffusion_pytorch_model", generator => new Sd3Transformer(config, generator));
    }

    /// <summary>
    /// hidden [B, C, H, W] (latents), text [B, L, joint_attention_dim], pooled [B, pooled_projection_dim],
    /// timestep [B] on diffusers' 0-1000 scale (σ·1000) → the predicted velocity [B, out_channels, H, W].
    /// </summary>
    public Tensor Forward(Tensor hidden, Tensor text, Tensor pooled, Tensor timestep)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var scope = TensorScope.Enter();
        var s = hidden.Shape;                                 // [B, C, H, W]
        var p = Config.PatchSize;
        var image = _posEmbed.Forward(hidden);                // [B, N, D]
        var c = _timeText.Forward(timestep, pooled);          // [B, D]
        Tensor? context = _contextEmbedder.Forward(text);     // [B, L, D]
        foreach (var block in _blocks)
        {
            (image, context) = block.Forward(image, context!, c);
        }
        var mod = _normOut.Modulation(c);                     // scale, shift: [B, 1, D]
        var patches = _projOut.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Norm(image), mod[1], mod[0])); // [B, N, p·p·C]
        long gh = s[2] / p, gw = s[3] / p;
        var output = patches.View(s[0], gh, gw, p, p, Config.OutChannels) // [B, h, w, p, q, C]
            .Permute(0, 5, 1, 3, 2, 4)                                     // [B, C, h, p, w, q]
            .Reshape(s[0], Config.OutChannels, gh * p, gw * p);            // [B, C, H, W]
        return scope.MoveToOuter(output);
    }
}
