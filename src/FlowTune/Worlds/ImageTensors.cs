using FlowTune.Imaging;
using FlowTune.Torch;

namespace FlowTune.Worlds;

/// <summary>Conversions between pixel tensors [B, 3, H, W] in [0, 1] and managed <see cref="RgbImage"/>s.</summary>
public static class ImageTensors
{
    /// <summary>Copies a batch [B, 3, H, W] (any float dtype, any device) out as images.</summary>
    public static IReadOnlyList<RgbImage> ToImages(Tensor pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var shape = pixels.Shape;
        if (shape.Length != 4 || shape[1] != 3)
        {
            throw new ArgumentException($"expected pixels [B, 3, H, W], got [{string.Join(", ", shape)}]", nameof(pixels));
        }
        var data = pixels.ToFloatArray();
        int b = (int)shape[0], h = (int)shape[2], w = (int)shape[3];
        var plane = 3 * h * w;
        var images = new RgbImage[b];
        for (var i = 0; i < b; i++)
        {
            images[i] = new RgbImage(h, w, data.AsSpan(i * plane, plane).ToArray());
        }
        return images;
    }

    /// <summary>Stacks images of one size into a float32 tensor [B, 3, H, W] on the CPU.</summary>
    public static Tensor FromImages(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("no images", nameof(images));
        }
        int h = images[0].Height, w = images[0].Width;
        var plane = 3 * h * w;
        var data = new float[images.Count * plane];
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Height != h || images[i].Width != w)
            {
                throw new ArgumentException($"image {i} is {images[i].Height}×{images[i].Width}, expected {h}×{w}", nameof(images));
            }
            images[i].Data.CopyTo(data, i * plane);
        }
        return Tensor.FromArray(data, images.Count, 3, h, w);
    }
}
