using FlowTune.Imaging;

namespace FlowTune.Worlds;

/// <summary>Image degradations: separable Gaussian blur, additive Gaussian noise and colour jitter.</summary>
public static class ImageDegradations
{
    /// <summary>Blurs each channel with a Gaussian of <paramref name="sigma"/> pixels (kernel radius ⌈3σ⌉, edges clamped).</summary>
    /// <param name="image">The image (not modified).</param>
    /// <param name="sigma">Standard deviation in pixels; 0 or less returns a copy.</param>
    public static RgbImage GaussianBlur(RgbImage image, double sigma)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (sigma <= 0)
        {
            return image.Clone();
        }

        float[] kernel = GaussianKernel(sigma);
        int radius = kernel.Length / 2;
        int h = image.Height;
        int w = image.Width;
        var output = new RgbImage(h, w);
        var line = new float[Math.Max(h, w) + (2 * radius)];
        var temp = new float[h * w];
        for (int c = 0; c < 3; c++)
        {
            int planeOffset = c * h * w;
            for (int y = 0; y < h; y++)
            {
                int row = planeOffset + (y * w);
                for (int i = 0; i < w + (2 * radius); i++)
                {
                    line[i] = image.Data[row + Math.Clamp(i - radius, 0, w - 1)];
                }

                Convolve(line, kernel, temp.AsSpan(y * w, w), 1, w);
            }

            for (int x = 0; x < w; x++)
            {
                for (int i = 0; i < h + (2 * radius); i++)
                {
                    line[i] = temp[(Math.Clamp(i - radius, 0, h - 1) * w) + x];
                }

                Convolve(line, kernel, output.Data.AsSpan(planeOffset + x), w, h);
            }
        }

        return output;
    }

    /// <summary>Adds independent Gaussian noise to every value (no clamping).</summary>
    /// <param name="image">The image, modified.</param>
    /// <param name="random">The generator.</param>
    /// <param name="sigma">Standard deviation on the [0, 1] scale.</param>
    public static void AddGaussianNoiseInPlace(RgbImage image, Random random, double sigma)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        random.AddGaussian(image.Data, sigma);
    }

    /// <summary>
    /// Per-image colour jitter: brightness factor, contrast about the image's mean grey, saturation about each
    /// pixel's luma, and a hue rotation about the grey axis, each drawn once per image (no clamping).
    /// </summary>
    /// <param name="image">The image, modified.</param>
    /// <param name="random">The generator.</param>
    /// <param name="strength">1 for the standard ranges (see <see cref="DegradationSpec"/>).</param>
    public static void ColorJitterInPlace(RgbImage image, Random random, double strength)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        double brightness = 1 + (0.12 * strength * ((2 * random.NextDouble()) - 1));
        double contrast = 1 + (0.12 * strength * ((2 * random.NextDouble()) - 1));
        double saturation = 1 + (0.2 * strength * ((2 * random.NextDouble()) - 1));
        double hue = 0.02 * strength * ((2 * random.NextDouble()) - 1) * 2 * Math.PI;
        double[] rotation = HueRotation(hue);
        float[] d = image.Data;
        int plane = image.PlaneSize;
        double meanGrey = 0;
        for (int i = 0; i < plane; i++)
        {
            meanGrey += Luma(d[i], d[plane + i], d[(2 * plane) + i]);
        }

        meanGrey = meanGrey * brightness / plane;
        for (int i = 0; i < plane; i++)
        {
            double r = d[i] * brightness;
            double g = d[plane + i] * brightness;
            double b = d[(2 * plane) + i] * brightness;
            r = meanGrey + ((r - meanGrey) * contrast);
            g = meanGrey + ((g - meanGrey) * contrast);
            b = meanGrey + ((b - meanGrey) * contrast);
            double luma = Luma(r, g, b);
            r = luma + ((r - luma) * saturation);
            g = luma + ((g - luma) * saturation);
            b = luma + ((b - luma) * saturation);
            d[i] = (float)((rotation[0] * r) + (rotation[1] * g) + (rotation[2] * b));
            d[plane + i] = (float)((rotation[3] * r) + (rotation[4] * g) + (rotation[5] * b));
            d[(2 * plane) + i] = (float)((rotation[6] * r) + (rotation[7] * g) + (rotation[8] * b));
        }
    }

    // destination[j * stride] = sum_k kernel[k] * line[j + k] for j < outputs.
    private static void Convolve(float[] line, float[] kernel, Span<float> destination, int stride, int outputs)
    {
        for (int j = 0; j < outputs; j++)
        {
            float sum = 0;
            for (int k = 0; k < kernel.Length; k++)
            {
                sum += kernel[k] * line[j + k];
            }

            destination[j * stride] = sum;
        }
    }

    private static double Luma(double r, double g, double b) => (0.299 * r) + (0.587 * g) + (0.114 * b);

    private static float[] GaussianKernel(double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new float[(2 * radius) + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++)
        {
            double v = Math.Exp(-(k * k) / (2 * sigma * sigma));
            kernel[k + radius] = (float)v;
            sum += v;
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] = (float)(kernel[i] / sum);
        }

        return kernel;
    }

    // Rodrigues rotation by angle about the unit grey axis (1, 1, 1) / sqrt(3), row-major 3×3.
    private static double[] HueRotation(double angle)
    {
        double cos = Math.Cos(angle);
        double sin = Math.Sin(angle);
        double k = 1.0 / Math.Sqrt(3);
        double t = (1 - cos) / 3;
        double a = cos + t;
        double bPlus = t + (k * sin);
        double bMinus = t - (k * sin);
        return [a, bMinus, bPlus, bPlus, a, bMinus, bMinus, bPlus, a];
    }
}
