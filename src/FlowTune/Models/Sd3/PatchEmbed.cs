using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// SD3's patch embedding (diffusers <c>PatchEmbed</c> with <c>pos_embed_max_size</c>): a p×p, stride-p convolution
/// to tokens, plus positions cropped from the centre of the stored [1, M·M, D] buffer <c>pos_embed</c>. The buffer
/// is loaded, never recomputed (docs/SD3.md "Transformer").
/// </summary>
public sealed class PatchEmbed : Module
{
    private readonly int _patch;
    private readonly int _maxSize;
    private readonly Conv2d _proj;
    private readonly Tensor _positions;

    /// <summary>Creates the embedding of <paramref name="channels"/>-channel latents into width <paramref name="width"/>.</summary>
    public PatchEmbed(int channels, int width, int patch, int maxSize, Generator generator)
    {
        _patch = patch;
        _maxSize = maxSize;
        _proj = RegisterModule("proj", new Conv2d(channels, width, patch, generator, stride: patch, padding: 0));
        _positions = RegisterBuffer("pos_embed", Tensor.Zeros([1, (long)maxSize * maxSize, width]));
    }

    /// <summary>latent [B, C, H, W] → tokens [B, (H/p)·(W/p), D], row-major over patches.</summary>
    public Tensor Forward(Tensor latent)
    {
        using var scope = TensorScope.Enter();
        var s = latent.Shape;
        long h = s[2] / _patch, w = s[3] / _patch;
        if (s[2] % _patch != 0 || s[3] % _patch != 0 || h > _maxSize || w > _maxSize)
        {
            throw new ArgumentException($"latent {s[2]}×{s[3]}: expected a multiple of the patch size {_patch} and at most {_maxSize * _patch} per side (pos_embed_max_size {_maxSize})");
        }
        var tokens = _proj.Forward(latent).Flatten(2).Transpose(1, 2);             // [B, h·w, D]
        long top = (_maxSize - h) / 2, left = (_maxSize - w) / 2;
        var grid = _positions.View(1, _maxSize, _maxSize, -1);                      // [1, M, M, D]
        var crop = grid.Narrow(1, top, h).Narrow(2, left, w).Reshape(1, h * w, -1); // [1, h·w, D]
        return scope.MoveToOuter((tokens + crop).To(latent.DType));
    }
}
