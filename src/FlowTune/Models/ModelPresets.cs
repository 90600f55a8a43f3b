using FlowTune.Models.Dit;
using FlowTune.Models.Text;
using FlowTune.Models.UNet;

namespace FlowTune.Models;

/// <summary>Named model shapes.</summary>
public static class ModelPresets
{
    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["unet-small", "unet-small-pos", "mmdit-small", "tiny-unet", "tiny-mmdit"];

    /// <summary>The default preset on a CPU (chosen by measurement; see README).</summary>
    public const string Default = "unet-small";

    /// <summary>The configuration of a preset; throws with the list of names for an unknown one.</summary>
    public static FlowModelConfig Get(string name, int imageSize = 32) => name switch
    {
        // ~2 M parameters: 32/64/128 channels at 32/16/8 px (calibrated on 2 cores).
        "unet-small" => new FlowModelConfig { Architecture = "unet", ImageSize = imageSize },
        // The same with 16 position features in every attention block (PositionCode): +6 K parameters.
        "unet-small-pos" => new FlowModelConfig { Architecture = "unet", ImageSize = imageSize, UNet = new UNetConfig { PositionFeatures = 16 } },
        // Patch-4 transformer (64 image tokens), width 128, 4 joint blocks (the family of SD3).
        "mmdit-small" => new FlowModelConfig { Architecture = "mmdit", ImageSize = imageSize },
        // Test-sized models: a few thousand parameters, seconds to train.
        "tiny-unet" => new FlowModelConfig
        {
            Architecture = "unet",
            ImageSize = imageSize,
            Text = new TextEncoderConfig { Width = 16, Depth = 1, Heads = 2 },
            UNet = new UNetConfig { Channels = [8, 16], CrossAttentionLevels = [0], EmbeddingWidth = 16, Heads = 2, Groups = 4 },
        },
        "tiny-mmdit" => new FlowModelConfig
        {
            Architecture = "mmdit",
            ImageSize = imageSize,
            Text = new TextEncoderConfig { Width = 16, Depth = 1, Heads = 2 },
            MmDit = new MmDitConfig { PatchSize = 4, Width = 16, Depth = 1, Heads = 2, MlpRatio = 2 },
        },
        _ => throw new ArgumentException($"unknown model preset '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
