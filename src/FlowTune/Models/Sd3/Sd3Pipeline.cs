using System.Text.Json;
using FlowTune.IO;
using FlowTune.Models.Sd3.Vae;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// An SD3/SD3.5 pipeline as a FlowTune velocity model: the transformer predicts the velocity on latents, the
/// prompt encoder supplies its conditioning, the scheduler config sets the time grid (σ, shared with the SDE/CPS
/// steps unchanged), and the VAE turns final latents into pixels as diffusers' pipeline does. FlowTune's t is the
/// scheduler's σ; the transformer sees timestep = σ · num_train_timesteps (docs/SD3.md "Sampling"). As an
/// <see cref="IPolicyNetwork"/> the transformer trains and the VAE and text encoders are frozen and shared by copies.
/// </summary>
public sealed class Sd3Pipeline : IPolicyNetwork
{
    private readonly IPromptEncoder _text;
    private readonly bool _ownsShared;

    /// <summary>Assembles a pipeline from loaded components (it owns and disposes them).</summary>
    /// <param name="transformer">The MMDiT.</param>
    /// <param name="vae">The autoencoder (null: <see cref="IVelocityModel.ToPixels"/> is unavailable, latents only).</param>
    /// <param name="text">The prompt encoder.</param>
    /// <param name="scheduler">The flow-matching scheduler config.</param>
    /// <param name="height">Image height in pixels (a multiple of vae scale × patch size).</param>
    /// <param name="width">Image width in pixels.</param>
    public Sd3Pipeline(Sd3Transformer transformer, AutoencoderKl? vae, IPromptEncoder text, FlowMatchScheduleConfig scheduler, int height, int width)
        : this(transformer, vae, text, scheduler, height, width, ownsShared: true)
    {
    }

    private Sd3Pipeline(Sd3Transformer transformer, AutoencoderKl? vae, IPromptEncoder text, FlowMatchScheduleConfig scheduler, int height, int width, bool ownsShared)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(scheduler);
        Transformer = transformer;
        Vae = vae;
        _text = text;
        Scheduler = scheduler;
        VaeScaleFactor = vae is null ? 8 : 1 << (vae.Config.BlockOutChannels.Count - 1);
        var multiple = VaeScaleFactor * transformer.Config.PatchSize;
        if (height <= 0 || width <= 0 || height % multiple != 0 || width % multiple != 0)
        {
            throw new ArgumentException($"image size {height}×{width}: expected positive multiples of vae scale × patch size = {multiple}");
        }
        Height = height;
        Width = width;
        _ownsShared = ownsShared;
    }

    /// <summary>The pipeline folder this was loaded from and the options it was loaded with (set by <see cref="Sd3PipelineLoader"/>; <see cref="Export"/> points at it).</summary>
    public (string Folder, Sd3PipelineOptions Options)? Source { get; init; }

    /// <summary>Autocast of every forward (<see cref="Sd3PipelineOptions.MixedPrecision"/>); outputs are float32 either way.</summary>
    public MixedPrecision Precision { get; init; } = MixedPrecision.No;

    /// <summary>The MMDiT (LoRA attaches to its attentions).</summary>
    public Sd3Transformer Transformer { get; }

    /// <summary>The prompt encoder.</summary>
    public IPromptEncoder PromptEncoder => _text;

    /// <summary>The autoencoder, or null.</summary>
    public AutoencoderKl? Vae { get; }

    /// <summary>The scheduler config behind <see cref="TimeGrid"/>.</summary>
    public FlowMatchScheduleConfig Scheduler { get; }

    /// <summary>Pixels per latent pixel: 2^(VAE levels − 1) (8 for SD3).</summary>
    public int VaeScaleFactor { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Tokens the transformer sees per image (latent h·w / patch²; sets the dynamic shift).</summary>
    public int ImageTokens => Height / VaeScaleFactor / Transformer.Config.PatchSize * (Width / VaeScaleFactor / Transformer.Config.PatchSize);

    /// <inheritdoc />
    public long[] SampleShape => [Transformer.Config.InChannels, Height / VaeScaleFactor, Width / VaeScaleFactor];

    /// <inheritdoc />
    public TextBatch EncodeText(IReadOnlyList<string> prompts)
    {
        if (Precision == MixedPrecision.No)
        {
            return _text.Encode(prompts);
        }
        using var autocast = Precision.Enter(TorchRuntime.DefaultDevice.Type);
        using var text = _text.Encode(prompts);
        return new TextBatch(text.Tokens.To(DType.Float32), text.PaddingMask.Share(), text.Pooled.To(DType.Float32));
    }

    /// <inheritdoc />
    public Tensor Velocity(Tensor x, Tensor t, TextBatch text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var scope = TensorScope.Enter();
        var timestep = t.To(DType.Float32) * (double)Scheduler.NumTrainTimesteps; // [B], diffusers' 0-1000 scale (float32, as σ_f32·1000)
        using var autocast = Precision.Enter(x.Device.Type);
        return scope.MoveToOuter(Transformer.Forward(x, text.Tokens, text.Pooled, timestep).To(DType.Float32));   // [B, C, h, w]
    }

    /// <summary>The scheduler's σ grid for <paramref name="steps"/> steps (its own shift; <paramref name="shift"/> is ignored).</summary>
    public double[] TimeGrid(int steps, double shift) => FlowMatchSchedule.Sigmas(Scheduler, steps, ImageTokens);

    /// <summary>Final latents → pixels in [0, 1]: VAE decode of latent / scaling + shift, then image·½ + ½ clamped (diffusers' postprocess).</summary>
    public Tensor ToPixels(Tensor x)
    {
        if (Vae is null)
        {
            throw new InvalidOperationException("this pipeline was loaded without its VAE: it can produce latents only");
        }
        using var scope = TensorScope.Enter();
        using var autocast = Precision.Enter(x.Device.Type);
        var image = Vae.Decode(Vae.FromLatent(x)).To(DType.Float32);   // [B, 3, H, W], about [−1, 1]
        return scope.MoveToOuter((image * 0.5 + 0.5).Clamp(0, 1));
    }

    /// <inheritdoc />
    public Module Weights => Transformer;

    /// <inheritdoc />
    public Module Trained => Transformer;

    /// <summary>A copy of the transformer (its current weights, adapters left out) with this pipeline's VAE, text encoders and scheduler.</summary>
    public IPolicyNetwork CopyWithoutAdapters()
    {
        using var generator = new Generator(0);
        var transformer = new Sd3Transformer(Transformer.Config, generator);
        try
        {
            transformer.LoadStateDict(Transformer.StateDict().Where(p => !Lora.IsAdapterParameter(p.Key)).ToDictionary(p => p.Key, p => p.Value));
            transformer.Train(false);
            return new Sd3Pipeline(transformer, Vae, _text, Scheduler, Height, Width, ownsShared: false) { Source = Source, Precision = Precision };
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Describe() => JsonSerializer.Serialize(new { Transformer.Config, Vae = Vae?.Config, Scheduler, Height, Width, Source?.Folder, Source?.Options }, Json.Options);

    /// <summary>Writes a policy folder (docs/FORMATS.md "SD3 policy folder"): the adapters, or the whole transformer, and the base folder it applies to.</summary>
    public void Export(string directory) => Sd3PolicyFolder.Save(directory, this);

    /// <summary>Frees the transformer, and the shared components unless this is a copy.</summary>
    public void Dispose()
    {
        Transformer.Dispose();
        if (_ownsShared)
        {
            Vae?.Dispose();
            _text.Dispose();
        }
    }
}
