using FlowTune.Imaging;

namespace FlowTune.Worlds;

/// <summary>
/// A seeded image degradation used to test detectors on images that look generated rather than rendered:
/// colour jitter first, then Gaussian blur, then Gaussian noise, then clamping to [0, 1].
/// </summary>
/// <param name="BlurSigma">Gaussian blur standard deviation in pixels (0 = none).</param>
/// <param name="NoiseSigma">Additive Gaussian noise standard deviation on the [0, 1] scale (0 = none).</param>
/// <param name="JitterStrength">Colour jitter strength; 1 means brightness and contrast ×U(0.88, 1.12), saturation ×U(0.8, 1.2), hue rotated by U(−7.2°, 7.2°) (0 = none).</param>
public sealed record DegradationSpec(double BlurSigma = 0, double NoiseSigma = 0, double JitterStrength = 0)
{
    /// <summary>No degradation.</summary>
    public static DegradationSpec None { get; } = new();

    /// <summary>The acceptance setting: blur σ 0.8 px, noise σ 0.05, colour jitter strength 1.</summary>
    public static DegradationSpec Standard { get; } = new(0.8, 0.05, 1.0);

    /// <summary>True when nothing would change.</summary>
    public bool IsIdentity => BlurSigma <= 0 && NoiseSigma <= 0 && JitterStrength <= 0;

    /// <summary>Returns a degraded copy (the input is not modified).</summary>
    /// <param name="image">The image.</param>
    /// <param name="seed">Seed of the jitter and noise draws.</param>
    public RgbImage Apply(RgbImage image, int seed)
    {
        ArgumentNullException.ThrowIfNull(image);
        var random = new Random(seed);
        RgbImage result = image.Clone();
        if (JitterStrength > 0)
        {
            ImageDegradations.ColorJitterInPlace(result, random, JitterStrength);
        }

        if (BlurSigma > 0)
        {
            result = ImageDegradations.GaussianBlur(result, BlurSigma);
        }

        if (NoiseSigma > 0)
        {
            ImageDegradations.AddGaussianNoiseInPlace(result, random, NoiseSigma);
        }

        return result.ClampInPlace();
    }
}
