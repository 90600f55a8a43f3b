using FlowTune.Models.Pretrained;

namespace FlowTune.Models.Sd3.Vae;

/// <summary>
/// The fields of diffusers' <c>AutoencoderKL</c> config (<c>vae/config.json</c>) that FlowTune implements: the
/// down/up block stacks SD3's VAE uses (<c>DownEncoderBlock2D</c>, <c>UpDecoderBlock2D</c>), a mid block with
/// attention, optional 1×1 quant convs, and the latent scaling the pipeline applies outside the network.
/// </summary>
public sealed record VaeConfig
{
    /// <summary>Image channels in (3).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Image channels out (3).</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary>Channels of each resolution level, highest resolution first; each level but the last halves the size.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [128, 256, 512, 512];

    /// <summary>Residual blocks per encoder level (the decoder has one more per level).</summary>
    public int LayersPerBlock { get; init; } = 2;

    /// <summary>Latent channels (16 for SD3).</summary>
    public int LatentChannels { get; init; } = 16;

    /// <summary>GroupNorm groups in every norm.</summary>
    public int NormNumGroups { get; init; } = 32;

    /// <summary>Whether the mid blocks have their self-attention (SD3: yes).</summary>
    public bool MidBlockAddAttention { get; init; } = true;

    /// <summary>1×1 conv after the encoder (SD3.5: none).</summary>
    public bool UseQuantConv { get; init; } = true;

    /// <summary>1×1 conv before the decoder (SD3.5: none).</summary>
    public bool UsePostQuantConv { get; init; } = true;

    /// <summary>The pipeline decodes z / scaling_factor + shift_factor and encodes (mean − shift) · scaling.</summary>
    public double ScalingFactor { get; init; } = 0.18215;

    /// <summary>See <see cref="ScalingFactor"/> (0 when the config has none).</summary>
    public double ShiftFactor { get; init; }

    /// <summary>Reads <paramref name="path"/>; every unsupported or inconsistent field is reported together.</summary>
    public static VaeConfig Load(string path)
    {
        // force_upcast only tells fp16 pipelines to run the VAE in float32; sample_size only tiles large images.
        var json = ConfigJson.Open(path, ignorable: ["force_upcast", "sample_size"]);
        json.Require(json.String("_class_name") is null or "AutoencoderKL", "_class_name", "expected \"AutoencoderKL\"");
        var channels = json.IntList("block_out_channels");
        var config = new VaeConfig
        {
            InChannels = json.Int("in_channels", 3, min: 1),
            OutChannels = json.Int("out_channels", 3, min: 1),
            BlockOutChannels = channels.Length == 0 ? [64] : channels,
            LayersPerBlock = json.Int("layers_per_block", 1, min: 1),
            LatentChannels = json.Int("latent_channels", 4, min: 1),
            NormNumGroups = json.Int("norm_num_groups", 32, min: 1),
            MidBlockAddAttention = json.Bool("mid_block_add_attention", true),
            UseQuantConv = json.Bool("use_quant_conv", true),
            UsePostQuantConv = json.Bool("use_post_quant_conv", true),
            ScalingFactor = json.Double("scaling_factor", 0.18215),
            ShiftFactor = json.Double("shift_factor", 0),
        };
        json.OneOf("act_fn", null, "silu");
        var down = json.StringList("down_block_types");
        var up = json.StringList("up_block_types");
        json.Require(down.Length == config.BlockOutChannels.Count && down.All(b => b == "DownEncoderBlock2D"), "down_block_types",
            $"expected {config.BlockOutChannels.Count} × \"DownEncoderBlock2D\" (one per block_out_channels entry)");
        json.Require(up.Length == config.BlockOutChannels.Count && up.All(b => b == "UpDecoderBlock2D"), "up_block_types",
            $"expected {config.BlockOutChannels.Count} × \"UpDecoderBlock2D\" (one per block_out_channels entry)");
        json.Require(config.BlockOutChannels.All(c => c > 0 && c % config.NormNumGroups == 0), "block_out_channels",
            $"expected positive multiples of norm_num_groups {config.NormNumGroups}");
        json.Require(json.IsNull("latents_mean"), "latents_mean", "expected null (per-channel latent statistics are not supported)");
        json.Require(json.IsNull("latents_std"), "latents_std", "expected null (per-channel latent statistics are not supported)");
        json.ThrowIfProblems("VAE");
        return config;
    }
}
