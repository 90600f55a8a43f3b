using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// The dark background of the shapes world: a base colour, three smooth random cosine waves (a faint, slightly
/// tinted texture) and independent Gaussian pixel noise. Amplitudes are small next to the object colours.
/// </summary>
internal static class BackgroundTexture
{
    /// <summary>Mean background level per channel.</summary>
    public static readonly float[] BaseColor = [0.07f, 0.07f, 0.09f];

    /// <summary>Amplitude of each wave.</summary>
    public const double WaveAmplitude = 0.015;

    /// <summary>Standard deviation of the pixel noise.</summary>
    public const double PixelNoiseSigma = 0.01;

    /// <summary>Creates the textured background.</summary>
    public static RgbImage Create(int height, int width, Random random)
    {
        var image = new RgbImage(height, width);
        int plane = image.PlaneSize;
        float[] data = image.Data;
        for (int c = 0; c < 3; c++)
        {
            Array.Fill(data, BaseColor[c], c * plane, plane);
        }

        double side = Math.Max(height, width);
        for (int wave = 0; wave < 3; wave++)
        {
            double angle = random.NextDouble(0, Math.PI);
            double wavelength = random.NextDouble(side / 3, side);
            double phase = random.NextDouble(0, 2 * Math.PI);
            double kx = Math.Cos(angle) * 2 * Math.PI / wavelength;
            double ky = Math.Sin(angle) * 2 * Math.PI / wavelength;
            var tint = new double[3];
            for (int c = 0; c < 3; c++)
            {
                tint[c] = WaveAmplitude * random.NextDouble(0.6, 1.0);
            }

            // cos(kx·x + ky·y + phase) = cos(kx·x)·cos(ky·y + phase) − sin(kx·x)·sin(ky·y + phase)
            var cosX = new double[width];
            var sinX = new double[width];
            for (int x = 0; x < width; x++)
            {
                cosX[x] = Math.Cos(kx * x);
                sinX[x] = Math.Sin(kx * x);
            }

            for (int y = 0; y < height; y++)
            {
                double cosY = Math.Cos((ky * y) + phase);
                double sinY = Math.Sin((ky * y) + phase);
                for (int x = 0; x < width; x++)
                {
                    double v = (cosX[x] * cosY) - (sinX[x] * sinY);
                    int i = (y * width) + x;
                    data[i] += (float)(tint[0] * v);
                    data[plane + i] += (float)(tint[1] * v);
                    data[(2 * plane) + i] += (float)(tint[2] * v);
                }
            }
        }

        return image;
    }

    /// <summary>Adds the mild pixel noise to every value.</summary>
    public static void AddPixelNoise(RgbImage image, Random random)
    {
        random.AddGaussian(image.Data, PixelNoiseSigma);
    }
}
