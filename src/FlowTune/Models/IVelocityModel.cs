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

    /// <summary>
    /// The time grid t_0 = 1 &gt; … &gt; t_steps = 0 (steps + 1 points) samplers walk for this model: FlowTune's
    /// shifted grid by default; a pipeline with its own scheduler (SD3) returns the scheduler's sigmas, whose shift
    /// comes from its scheduler config (then <paramref name="shift"/> is ignored).
    /// </summary>
    double[] TimeGrid(int steps, double shift) => Models.TimeGrid.Shifted(steps, shift);

    /// <summary>Samples in model space [B, ...SampleShape] → pixels [B, 3, H, W] in [0, 1]: x ∈ [−1, 1] by default; latent models decode.</summary>
    Tensor ToPixels(Tensor x) => PixelSpace.ToPixels(x);
}
