using FlowTune.Models.Pretrained;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// diffusers' <c>AutoencoderKL</c> with its state-dict keys: <see cref="EncodeMean"/> and <see cref="Decode"/> are
/// the raw network (no scaling or shift); <see cref="ToLatent"/> and <see cref="FromLatent"/> apply the SD3
/// pipeline's <c>scaling_factor</c> and <c>shift_factor</c> as the pipeline does.
/// </summary>
public sealed class AutoencoderKl : Module
{
    private readonly VaeEncoder _encoder;
    private readonly VaeDecoder _decoder;
    private readonly Conv2d? _quant;
    private readonly Conv2d? _postQuant;

    /// <summary>Creates the autoencoder with placeholder weights (load real ones with <see cref="FromPretrained"/>).</summary>
    public AutoencoderKl(VaeConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _encoder = RegisterModule("encoder", new VaeEncoder(config, generator));
        _decoder = RegisterModule("decoder", new VaeDecoder(config, generator));
        var moments = 2 * config.LatentChannels;
        if (config.UseQuantConv)
        {
            _quant = RegisterModule("quant_conv", new Conv2d(moments, moments, 1, generator, padding: 0));
        }
        if (config.UsePostQuantConv)
        {
            _postQuant = RegisterModule("post_quant_conv", new Conv2d(config.LatentChannels, config.LatentChannels, 1, generator, padding: 0));
        }
    }

    /// <summary>The configuration the network was built from.</summary>
    public VaeConfig Config { get; }

    /// <summary>Loads a diffusers <c>vae/</c> folder (see <see cref="PretrainedWeights"/> for the checks).</summary>
    public static AutoencoderKl FromPretrained(string folder)
    {
        var config = VaeConfig.Load(Path.Combine(folder, "config.json"));
        return PretrainedWeights.Build(folder, "diffusion_pytorch_model", generator => new AutoencoderKl(config, generator));
    }

    /// <summary>image [B, C, H, W] in [−1, 1] → the posterior's mean and log-variance (clamped to [−30, 20]), each [B, L, h, w].</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor image)
    {
        using var scope = TensorScope.Enter();
        var moments = _encoder.Forward(image);
        if (_quant is not null)
        {
            moments = _quant.Forward(moments);
        }
        var parts = moments.Chunk(2, 1);              // mean first, then log-variance
        var mean = parts[0];
        var logVar = parts[1].Clamp(-30.0, 20.0);
        scope.MoveToOuter([mean, logVar]);
        return (mean, logVar);
    }

    /// <summary>The posterior mean of the raw encoder: image [B, C, H, W] → [B, L, h, w].</summary>
    public Tensor EncodeMean(Tensor image)
    {
        var (mean, logVar) = Encode(image);
        logVar.Dispose();
        return mean;
    }

    /// <summary>The raw decoder: latent [B, L, h, w] → image [B, C, H, W] (about [−1, 1]).</summary>
    public Tensor Decode(Tensor z)
    {
        using var scope = TensorScope.Enter();
        var h = _postQuant is null ? z : _postQuant.Forward(z);
        return scope.MoveToOuter(_decoder.Forward(h));
    }

    /// <summary>The transformer's latent from the raw posterior mean: (mean − shift_factor) · scaling_factor.</summary>
    public Tensor ToLatent(Tensor mean)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter((mean - Config.ShiftFactor) * Config.ScalingFactor);
    }

    /// <summary>The raw decoder's input from the transformer's latent: z / scaling_factor + shift_factor.</summary>
    public Tensor FromLatent(Tensor latent)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(latent / Config.ScalingFactor + Config.ShiftFactor);
    }
}
