using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Tests.Worlds;

public class DegradationSpecTests
{
    private static RgbImage Checkerboard()
    {
        var image = new RgbImage(16, 16);
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < 16; y++)
            {
                for (int x = 0; x < 16; x++)
                {
                    image[c, y, x] = (x + y) % 2 == 0 ? 0.8f : 0.2f;
                }
            }
        }

        return image;
    }

    [Fact]
    public void Should_ProduceIdenticalBytes_When_SeedRepeats()
    {
        // Given
        RgbImage image = Checkerboard();

        // When
        RgbImage first = DegradationSpec.Standard.Apply(image, 5);
        RgbImage second = DegradationSpec.Standard.Apply(image, 5);
        RgbImage other = DegradationSpec.Standard.Apply(image, 6);

        // Then
        Assert.Equal(first.Data, second.Data);
        Assert.NotEqual(first.Data, other.Data);
    }

    [Fact]
    public void Should_PreserveMeanAndSmooth_When_Blurring()
    {
        // Given
        RgbImage image = Checkerboard();

        // When
        RgbImage blurred = ImageDegradations.GaussianBlur(image, 1.0);

        // Then
        Assert.True(Math.Abs(image.Data.Average() - blurred.Data.Average()) < 0.01);
        Assert.InRange(blurred[0, 8, 8], 0.45f, 0.55f);
    }

    [Fact]
    public void Should_AddNoiseOfTheRequestedSigma_When_AddingNoise()
    {
        // Given
        var image = RgbImage.Filled(64, 64, 0.5f, 0.5f, 0.5f);

        // When
        ImageDegradations.AddGaussianNoiseInPlace(image, new Random(1), 0.05);

        // Then
        double mean = image.Data.Average();
        double sigma = Math.Sqrt(image.Data.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, 0.498, 0.502);
        Assert.InRange(sigma, 0.048, 0.052);
    }

    [Fact]
    public void Should_KeepGreyGrey_When_JitteringColor()
    {
        // Given: hue rotation and saturation act around the grey axis.
        var image = RgbImage.Filled(4, 4, 0.5f, 0.5f, 0.5f);

        // When
        ImageDegradations.ColorJitterInPlace(image, new Random(3), 1.0);

        // Then: to float rounding (each channel is a different row of a rotation matrix whose rows sum to 1)
        Assert.Equal(image[0, 0, 0], image[1, 0, 0], 1e-4);
        Assert.Equal(image[0, 0, 0], image[2, 0, 0], 1e-4);
    }
}
