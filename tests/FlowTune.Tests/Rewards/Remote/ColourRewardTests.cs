using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Rewards;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Rewards.Remote;

public sealed class ColourRewardTests
{
    private static readonly ColourReward Reward = new();

    private static RgbImage Filled(ShapeColor colour, int size = 12)
    {
        var (r, g, b) = ShapeVocabulary.Rgb(colour);
        return RgbImage.Filled(size, size, r, g, b);
    }

    private static double ScoreOf(RgbImage image, string prompt) => Reward.Score([image], [new RewardPrompt(prompt)]).Scores[0];

    [Fact]
    public void Should_ScoreOne_When_EveryPixelHasThePromptsColour()
    {
        foreach (ShapeColor colour in ShapeVocabulary.Colors)
        {
            // Given
            string prompt = $"a photo of a {ShapeVocabulary.Name(colour)} circle";

            // When
            var batch = Reward.Score([Filled(colour)], [new RewardPrompt(prompt)]);

            // Then
            Assert.Equal(1.0, batch.Scores[0]);
            Assert.Equal(1.0, batch.Components["colour_match"][0]);
            Assert.Equal(1.0, batch.Components["coverage"][0]);
        }
    }

    [Fact]
    public void Should_ScoreZero_When_EveryPixelHasAnotherColour()
    {
        foreach (ShapeColor colour in ShapeVocabulary.Colors)
        {
            foreach (ShapeColor other in ShapeVocabulary.Colors.Where(c => c != colour))
            {
                // Given
                string prompt = $"a photo of a {ShapeVocabulary.Name(other)} square";

                // When
                double score = ScoreOf(Filled(colour), prompt);

                // Then
                Assert.Equal(0.0, score);
            }
        }
    }

    [Fact]
    public void Should_CountOnlyObjectPixels_When_ImageHasADarkBackground()
    {
        // Given: a dark 20×20 canvas with a red 5×4 patch and a blue 5×2 patch
        var image = RgbImage.Filled(20, 20, 0.07f, 0.07f, 0.09f);
        Paint(image, ShapeColor.Red, x0: 2, y0: 3, width: 5, height: 4);
        Paint(image, ShapeColor.Blue, x0: 10, y0: 10, width: 5, height: 2);
        const int red = 5 * 4, blue = 5 * 2;

        // When
        var batch = Reward.Score([image, image, image], [new("a red circle"), new("A RED and a Blue thing"), new("a photo of a circle")]);

        // Then
        Assert.Equal(red / (double)(red + blue), batch.Scores[0], 12);
        Assert.Equal(1.0, batch.Scores[1]);
        Assert.Equal(1.0, batch.Scores[2]);
        Assert.All(batch.Components["coverage"], c => Assert.Equal((red + blue) / 400.0, c, 12));
    }

    [Fact]
    public void Should_ScoreZero_When_ImageHasNoObjectPixel()
    {
        // Given
        var blank = RgbImage.Filled(8, 8, 0.07f, 0.07f, 0.09f);

        // When
        var batch = Reward.Score([blank, blank], [new("a red circle"), new("a circle")]);

        // Then
        Assert.Equal([0.0, 0.0], batch.Scores);
        Assert.Equal([0.0, 0.0], batch.Components["coverage"]);
    }

    [Fact]
    public void Should_ClassifyDimmedPaletteColours_When_BrightnessChanges()
    {
        foreach (ShapeColor colour in ShapeVocabulary.Colors)
        {
            // Given: the palette colour at 60% brightness keeps its chromaticity
            var (r, g, b) = ShapeVocabulary.Rgb(colour);
            int dr = PngWriter.ToByte(r * 0.6f), dg = PngWriter.ToByte(g * 0.6f), db = PngWriter.ToByte(b * 0.6f);

            // When
            int nearest = ColourReward.NearestColour(dr, dg, db);

            // Then
            Assert.Equal((int)colour, nearest);
        }
    }

    [Fact]
    public void Should_MatchTheWorldsColourWords_When_PromptsComeFromTheShapesWorld()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();

        foreach (var entry in test)
        {
            // When
            var named = ColourReward.NamedColours(entry.Prompt);

            // Then
            var expected = entry.Include.Where(c => c.Color is not null).Select(c => ColourIndex(c.Color!)).ToHashSet();
            Assert.True(expected.SetEquals(named), $"'{entry.Prompt}': {string.Join(",", named)}");
        }
    }

    [Fact]
    public void Should_CreateTheColourReward_When_RegistryIsAskedForColour()
    {
        // Given
        var weights = new Dictionary<string, double> { ["colour"] = 1.0 };

        // When
        var reward = RewardRegistry.Create(new RewardOptions { Weights = weights }, new ShapesWorld());

        // Then
        Assert.Equal("colour", reward.Name);
        Assert.Contains("colour", RewardRegistry.Names);
    }

    private static int ColourIndex(string name) =>
        ShapeVocabulary.TryParseColor(name, out var colour) ? (int)colour : throw new ArgumentException(name);

    private static void Paint(RgbImage image, ShapeColor colour, int x0, int y0, int width, int height)
    {
        var (r, g, b) = ShapeVocabulary.Rgb(colour);
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                image[0, y, x] = r;
                image[1, y, x] = g;
                image[2, y, x] = b;
            }
        }
    }
}
