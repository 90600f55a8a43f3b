using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.UNet;

/// <summary>
/// Where each pixel of a feature map is, for attention blocks that otherwise see no coordinates (only the weak
/// border effects of zero-padded convolutions). Fixed 2D sinusoidal features of the pixel centre, u = (x + ½)/W and
/// v = (y + ½)/H, pass through a zero-initialised linear map into the channels, so a block with position code starts
/// exactly as the same block without it and learns how much position to use.
/// </summary>
public sealed class PositionCode : Module
{
    private readonly int _features;
    private readonly Linear _projection;
    private Grid _cached = new(0, 0, []);   // the last grid's features (fixed per shape; one reference, so row-split threads never see a torn value)

    /// <summary>Creates the code with <paramref name="features"/> sinusoidal features (a multiple of 4) for <paramref name="channels"/> channels.</summary>
    public PositionCode(int features, int channels, Generator generator)
    {
        if (features <= 0 || features % 4 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(features), features, "position features must be a positive multiple of 4");
        }
        _features = features;
        _projection = RegisterModule("proj", new Linear(features, channels, generator, zeroInit: true));
    }

    /// <summary>
    /// The fixed features of an H×W grid, row-major: for octave k = 0 … F/4 − 1, sin(π·2ᵏ·u), cos(π·2ᵏ·u),
    /// sin(π·2ᵏ·v), cos(π·2ᵏ·v). Octave 0 alone tells left from right and top from bottom.
    /// </summary>
    public static float[] Features(int height, int width, int features)
    {
        var octaves = features / 4;
        var result = new float[height * width * features];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var u = (x + 0.5) / width;
                var v = (y + 0.5) / height;
                var offset = ((y * width) + x) * features;
                for (var k = 0; k < octaves; k++)
                {
                    var scale = Math.PI * (1 << k);
                    result[offset + (4 * k)] = (float)Math.Sin(scale * u);
                    result[offset + (4 * k) + 1] = (float)Math.Cos(scale * u);
                    result[offset + (4 * k) + 2] = (float)Math.Sin(scale * v);
                    result[offset + (4 * k) + 3] = (float)Math.Cos(scale * v);
                }
            }
        }
        return result;
    }

    /// <summary>h [B, H·W, C] (pixels row-major) → h + projected code, for a <paramref name="height"/>×<paramref name="width"/> map.</summary>
    public Tensor Add(Tensor h, int height, int width)
    {
        using var scope = TensorScope.Enter();
        var cached = _cached;
        if (cached.Height != height || cached.Width != width)
        {
            _cached = cached = new Grid(height, width, Features(height, width, _features));
        }
        var code = Tensor.FromArray(cached.Data, height * width, _features);                       // [HW, F]
        if (h.Device != code.Device)
        {
            code = code.To(h.Device);
        }
        var bias = _projection.Forward(code).To(h.DType);                                            // [HW, C]
        return scope.MoveToOuter(h + bias.Unsqueeze(0));                                            // [B, HW, C]
    }

    private sealed record Grid(int Height, int Width, float[] Data);
}
