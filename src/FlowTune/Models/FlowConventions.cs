namespace FlowTune.Models;

// Conventions of every model and sampler (docs/ALGORITHMS.md §1–4):
//   time t ∈ [0, 1]; t = 1 is pure noise, t = 0 is data; x_t = (1 − t)·x0 + t·eps, eps ~ N(0, I);
//   the model predicts v ≈ eps − x0, so x0_hat = x_t − t·v and eps_hat = x_t + (1 − t)·v;
//   sampling walks the grid t_0 = 1 > t_1 > … > t_T = 0, so dt = t_{k+1} − t_k is negative;
//   images live in [-1, 1] in model space (pixels p ∈ [0, 1] map to 2p − 1).

/// <summary>Pixel ↔ model-space conversion.</summary>
public static class PixelSpace
{
    /// <summary>[0, 1] pixels → [-1, 1] model space.</summary>
    public static Torch.Tensor ToModel(Torch.Tensor pixels) => pixels * 2.0 - 1.0;

    /// <summary>[-1, 1] model space → [0, 1] pixels (clamped).</summary>
    public static Torch.Tensor ToPixels(Torch.Tensor x)
    {
        using var scope = Torch.TensorScope.Enter();
        return scope.MoveToOuter(((x + 1.0) * 0.5).Clamp(0, 1));
    }
}
