using System.Text.Json;
using FlowTune.Common;
using FlowTune.IO;
using FlowTune.Models.Dit;
using FlowTune.Models.Text;
using FlowTune.Models.UNet;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>
/// A text-to-image flow model: a <see cref="TextEncoder"/> and a velocity network (U-Net or MMDiT), trained together.
/// Parameter names start with <c>text.</c> and <c>net.</c>.
/// </summary>
public sealed class FlowModel : Module, IPolicyNetwork
{
    private readonly IVelocityNet _net;

    /// <summary>Builds the model (weights initialised from <paramref name="generator"/>).</summary>
    public FlowModel(FlowModelConfig config, Tokenizer tokenizer, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validation.ThrowIfAny(config.Validate(), "model config");
        Config = config;
        Text = RegisterModule("text", new TextEncoder(config.Text, tokenizer, generator));
        var width = config.Text.Width;
        _net = config.Architecture == "unet"
            ? RegisterModule("net", new UNetVelocityNet(config.UNet, config.ImageChannels, width, generator))
            : RegisterModule("net", new MmDitVelocityNet(config.MmDit, config.ImageChannels, config.ImageSize, width, generator));
    }

    /// <summary>The configuration the model was built from.</summary>
    public FlowModelConfig Config { get; }

    /// <summary>The text encoder.</summary>
    public TextEncoder Text { get; }

    /// <summary>The velocity network as a module (for freezing or adapters).</summary>
    public Module Net => (Module)_net;

    /// <inheritdoc />
    public long[] SampleShape => [Config.ImageChannels, Config.ImageSize, Config.ImageSize];

    /// <inheritdoc />
    public TextBatch EncodeText(IReadOnlyList<string> prompts) => Text.Encode(prompts);

    /// <inheritdoc />
    public Tensor Velocity(Tensor x, Tensor t, TextBatch text) => _net.Forward(x, t, text);

    /// <inheritdoc />
    public Module Weights => this;

    /// <inheritdoc />
    public Module Trained => Net;

    /// <inheritdoc />
    public IPolicyNetwork CopyWithoutAdapters()
    {
        var copy = ModelCheckpoint.Create(ModelCheckpoint.Describe(this));
        copy.LoadStateDict(StateDict().Where(p => !Lora.IsAdapterParameter(p.Key)).ToDictionary(p => p.Key, p => p.Value));
        copy.Train(false);
        return copy;
    }

    /// <inheritdoc />
    public string Describe() => JsonSerializer.Serialize(Config, Json.Options) + "\n" + string.Join(' ', Text.Tokenizer.Vocabulary);

    /// <inheritdoc />
    public void Export(string directory) => ModelCheckpoint.Save(directory, this);
}
