using FlowTune.Torch;

namespace FlowTune.Models;

/// <summary>The image network of a <see cref="FlowModel"/>: velocity from noisy images, times and encoded text.</summary>
public interface IVelocityNet
{
    /// <summary>x [B, C, H, W], t [B], text → velocity [B, C, H, W].</summary>
    Tensor Forward(Tensor x, Tensor t, TextBatch text);
}
