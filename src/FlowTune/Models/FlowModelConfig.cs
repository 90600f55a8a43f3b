using FlowTune.Models.Dit;
using FlowTune.Models.Text;
using FlowTune.Models.UNet;

namespace FlowTune.Models;

/// <summary>Everything needed to rebuild a <see cref="FlowModel"/> (saved as JSON next to its weights).</summary>
public sealed record FlowModelConfig
{
    /// <summary>"unet" (convolutional, SD1.5 family) or "mmdit" (transformer, SD3 family).</summary>
    public string Architecture { get; init; } = "unet";

    /// <summary>Image side in pixels (square images).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels.</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>Text encoder shape.</summary>
    public TextEncoderConfig Text { get; init; } = new();

    /// <summary>U-Net shape (used when <see cref="Architecture"/> is "unet").</summary>
    public UNetConfig UNet { get; init; } = new();

    /// <summary>MMDiT shape (used when <see cref="Architecture"/> is "mmdit").</summary>
    public MmDitConfig MmDit { get; init; } = new();

    /// <summary>Every problem with these values.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Architecture is not ("unet" or "mmdit"))
        {
            problems.Add($"architecture must be 'unet' or 'mmdit', got '{Architecture}'");
        }
        if (ImageSize < 8)
        {
            problems.Add($"image_size must be >= 8, got {ImageSize}");
        }
        if (ImageChannels < 1)
        {
            problems.Add($"image_channels must be >= 1, got {ImageChannels}");
        }
        problems.AddRange(Text.Validate());
        if (Architecture == "unet")
        {
            problems.AddRange(UNet.Validate());
            var factor = 1 << (UNet.Channels.Length - 1);
            if (ImageSize % factor != 0)
            {
                problems.Add($"image_size {ImageSize} must be a multiple of {factor} for {UNet.Channels.Length} U-Net levels");
            }
        }
        if (Architecture == "mmdit")
        {
            problems.AddRange(MmDit.Validate());
            if (ImageSize % MmDit.PatchSize != 0)
            {
                problems.Add($"image_size {ImageSize} must be a multiple of mmdit.patch_size {MmDit.PatchSize}");
            }
        }
        return problems;
    }
}
