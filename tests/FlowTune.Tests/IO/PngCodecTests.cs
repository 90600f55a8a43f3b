using FlowTune.IO;
using FlowTune.Imaging;
using FlowTune.Worlds;

namespace FlowTune.Tests.IO;

public class PngCodecTests
{
    private static RgbImage RandomImage(int height, int width, int seed)
    {
        var random = new Random(seed);
        var image = new RgbImage(height, width);
        for (int i = 0; i < image.Data.Length; i++)
        {
            image.Data[i] = (float)random.NextDouble();
        }

        return image;
    }

    private static byte[] Quantised(RgbImage image) => image.Data.Select(PngWriter.ToByte).ToArray();

    [Fact]
    public void Should_ReturnIdenticalPixelBytes_When_ImageIsWrittenAndReadBack()
    {
        // Given
        RgbImage image = RandomImage(13, 17, seed: 1);

        // When
        RgbImage decoded = PngReader.Decode(PngWriter.Encode(image));

        // Then
        Assert.Equal(13, decoded.Height);
        Assert.Equal(17, decoded.Width);
        Assert.Equal(Quantised(image), Quantised(decoded));
    }

    [Fact]
    public void Should_RoundTripThroughFile_When_WrittenToDisk()
    {
        // Given
        RgbImage image = RandomImage(32, 32, seed: 2);
        string path = Path.Combine(Path.GetTempPath(), $"flowtune-png-{Guid.NewGuid():N}", "a.png");

        // When
        PngWriter.WriteFile(path, image);
        RgbImage decoded = PngReader.ReadFile(path);

        // Then
        Assert.Equal(Quantised(image), Quantised(decoded));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Should_DecodeExactly_When_EveryRowUsesOneFilterType(int filter)
    {
        // Given
        RgbImage image = RandomImage(9, 11, seed: 10 + filter);

        // When
        RgbImage decoded = PngReader.Decode(PngWriter.Encode(image, filter));

        // Then
        Assert.Equal(Quantised(image), Quantised(decoded));
    }

    [Fact]
    public void Should_ComputeTheStandardCheckValue_When_CrcOfDigits()
    {
        // Given
        byte[] digits = "123456789"u8.ToArray();

        // When
        uint crc = PngCrc32.Compute(digits);

        // Then
        Assert.Equal(0xCBF43926u, crc);
    }

    [Fact]
    public void Should_ReplicateGrey_When_ColorTypeIsGrey()
    {
        // Given: 2×1 grey, filter Sub on the row: values 10, 30 stored as 10, 20.
        byte[] png = PngTestFiles.Build(2, 1, 8, 0, 0, [1, 10, 20]);

        // When
        RgbImage image = PngReader.Decode(png);

        // Then
        Assert.Equal(new byte[] { 10, 30, 10, 30, 10, 30 }, Quantised(image));
    }

    [Fact]
    public void Should_DropAlpha_When_ColorTypeIsRgba()
    {
        // Given: 1×2 RGBA, second row Up-filtered (adds the first row).
        byte[] png = PngTestFiles.Build(1, 2, 8, 6, 0, [0, 100, 150, 200, 255, 2, 1, 2, 3, 0]);

        // When
        RgbImage image = PngReader.Decode(png);

        // Then: channel planes R, G, B over the two rows.
        Assert.Equal(new byte[] { 100, 101, 150, 152, 200, 203 }, Quantised(image));
    }

    [Fact]
    public void Should_DecodeGreyAlphaWithPaethAndAverage_When_ColorTypeIs4()
    {
        // Given: 2×2 grey+alpha. Row 0 Average: g0 = 40, a0 = 255, g1 = 40 + 40/2 = 60, a1 = 1 + 255/2 = 128.
        // Row 1 Paeth: predictor of the first pixel is "up".
        byte[] png = PngTestFiles.Build(2, 2, 8, 4, 0, [3, 40, 255, 40, 1, 4, 5, 0, 5, 0]);

        // When
        RgbImage image = PngReader.Decode(png);

        // Then: grey row 0 = 40, 60; row 1 = 45, then Paeth(left=45, up=60, upLeft=40) = 60 (p = 65: |p−45| = 20, |p−60| = 5, |p−40| = 25) + 5 = 65.
        Assert.Equal(new byte[] { 40, 60, 45, 65 }, Quantised(image).Take(4).ToArray());
    }

    [Theory]
    [InlineData(16, 2, 0, "bit depth 16")]
    [InlineData(8, 3, 0, "colour type 3")]
    [InlineData(8, 2, 1, "interlace")]
    public void Should_ThrowInvalidData_When_FormatIsUnsupported(byte bitDepth, byte colorType, byte interlace, string expected)
    {
        // Given
        byte[] png = PngTestFiles.Build(1, 1, bitDepth, colorType, interlace, [0, 1, 2, 3, 4, 5, 6]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => PngReader.Decode(png));

        // Then
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ThrowInvalidData_When_CrcIsWrong()
    {
        // Given
        byte[] png = PngTestFiles.Build(1, 1, 8, 2, 0, [0, 1, 2, 3], corruptCrc: true);

        // When
        var error = Assert.Throws<InvalidDataException>(() => PngReader.Decode(png));

        // Then
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ThrowInvalidData_When_DataIsTruncatedOrNotPng()
    {
        // Given
        byte[] shortData = PngTestFiles.Build(4, 4, 8, 2, 0, [0, 1, 2, 3]);
        byte[] notPng = "GIF89a-not-a-png"u8.ToArray();
        byte[] badFilter = PngTestFiles.Build(1, 1, 8, 2, 0, [7, 1, 2, 3]);

        // When / Then
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => PngReader.Decode(shortData)).Message, StringComparison.Ordinal);
        Assert.Contains("signature", Assert.Throws<InvalidDataException>(() => PngReader.Decode(notPng)).Message, StringComparison.Ordinal);
        Assert.Contains("filter type 7", Assert.Throws<InvalidDataException>(() => PngReader.Decode(badFilter)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_PlaceTilesWithGaps_When_ComposingAGrid()
    {
        // Given
        var images = Enumerable.Range(0, 3).Select(i => RgbImage.Filled(2, 3, i / 4f, 0, 0)).ToList();

        // When
        RgbImage grid = PngGridWriter.Compose(images, columns: 2, gap: 1, gapValue: 1f);

        // Then: 2 rows × 2 columns of 2×3 tiles with 1-pixel gaps.
        Assert.Equal(1 + (2 * 3), grid.Height);
        Assert.Equal(1 + (2 * 4), grid.Width);
        Assert.Equal(0f, grid[0, 1, 1]);
        Assert.Equal(0.25f, grid[0, 1, 5]);
        Assert.Equal(0.5f, grid[0, 4, 1]);
        Assert.Equal(1f, grid[0, 0, 0]);
        Assert.Equal(1f, grid[0, 4, 5]);
    }
}
