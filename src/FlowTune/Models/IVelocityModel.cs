using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>
/// A network predicting the flow-matching velocity v(x_t, t, c) ≈ eps − x0 (docs/ALGORITHMS.md §1.1; t = 1 noise, t = 0 data).
/// Samplers and trainers depend only on this interface, so larger models, latent models with a decoder, or
/// LoRA-wrapped models plug in without changes.
/// </summary>
public interface IVelocityModel
{
    /// <summary>Shape of the samples the model works on: [C, H, W].</summary>
    long[] SampleShape { get; }

    /// <summary>x [B, C, H, W], t [B] in [0, 1], text for B prompts → velocity [B, C, H, W].</summary>
    Tensor Velocity(Tensor x, Tensor t, TextBatch text);

    /// <summary>Encodes prompts for <see cref="Velocity"/> ("" = unconditional).</summary>
    TextBatch EncodeText(IReadOnlyList<string> prompts);
}
