using FlowTune.IO;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds;

public sealed class GroundTruthFolderTests
{
    private static List<GenEvalEntry> ThreePrompts()
    {
        var (_, test) = new ShapesWorld().DefaultPrompts();
        return [test[0], test[7], test[30]];
    }

    [Fact]
    public void Should_WriteEachPromptsMetadataAndSeededRenders_When_RenderingAFolder()
    {
        // Given
        var world = new ShapesWorld();
        var entries = ThreePrompts();
        var options = new GroundTruthRenderOptions { SamplesPerPrompt = 2, ImageSize = 24, Seed = 5, GridPrompts = 2, GridColumns = 8 };
        var dir = Path.Combine(Path.GetTempPath(), $"gt-{Guid.NewGuid():N}");

        // When
        var written = GroundTruthFolder.Write(world, entries, dir, options);

        // Then: GenEval's layout, each image the world's render for its derived seed, a grid of the first prompts
        try
        {
            Assert.Equal(6, written);
            for (var p = 0; p < entries.Count; p++)
            {
                Assert.Equal([entries[p]], GenEvalMetadata.ParseFile(Path.Combine(dir, p.ToString("D5"), "metadata.jsonl")));
                var files = Directory.GetFiles(Path.Combine(dir, p.ToString("D5"), "samples")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
                Assert.Equal(["0000.png", "0001.png"], files);
                for (var k = 0; k < 2; k++)
                {
                    var expected = world.RenderGroundTruth(entries[p], 24, RandomExtensions.DeriveSeed(5, p * 1000L + k));
                    Assert.Equal(PngWriter.Encode(expected), File.ReadAllBytes(GenEvalImageFolder.SampleFile(dir, p, k)));
                }
            }
            var grid = PngReader.ReadFile(Path.Combine(dir, "grid.png"));
            var firstTwo = PngGridWriter.Compose([PngReader.ReadFile(GenEvalImageFolder.SampleFile(dir, 0, 0)), PngReader.ReadFile(GenEvalImageFolder.SampleFile(dir, 1, 0))], columns: 8);
            Assert.Equal((firstTwo.Height, firstTwo.Width), (grid.Height, grid.Width));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Should_DrawOtherScenes_When_TheSeedChanges()
    {
        // Given
        var world = new ShapesWorld();
        var entries = ThreePrompts();
        var a = Path.Combine(Path.GetTempPath(), $"gt-{Guid.NewGuid():N}");
        var b = Path.Combine(Path.GetTempPath(), $"gt-{Guid.NewGuid():N}");

        // When
        GroundTruthFolder.Write(world, entries, a, new GroundTruthRenderOptions { SamplesPerPrompt = 1, Seed = 1 });
        GroundTruthFolder.Write(world, entries, b, new GroundTruthRenderOptions { SamplesPerPrompt = 1, Seed = 2 });

        // Then
        var same = Enumerable.Range(0, entries.Count).Count(p =>
            File.ReadAllBytes(GenEvalImageFolder.SampleFile(a, p, 0)).SequenceEqual(File.ReadAllBytes(GenEvalImageFolder.SampleFile(b, p, 0))));
        Directory.Delete(a, true);
        Directory.Delete(b, true);
        Assert.Equal(0, same);
    }

    [Theory]
    [InlineData(0, 32, "samples_per_prompt")]
    [InlineData(1001, 32, "samples_per_prompt")]
    [InlineData(1, 0, "image_size")]
    public void Should_RejectOptionsAndWriteNothing_When_OptionsAreInvalid(int samples, int size, string named)
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"gt-{Guid.NewGuid():N}");
        var options = new GroundTruthRenderOptions { SamplesPerPrompt = samples, ImageSize = size };

        // When
        var error = Assert.Throws<ArgumentException>(() => GroundTruthFolder.Write(new ShapesWorld(), ThreePrompts(), dir, options));

        // Then
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Should_NameFoldersWithFiveDigitsAndImagesWithFour_When_BuildingLayoutPaths()
    {
        // When
        var file = GenEvalImageFolder.SampleFile("root", 12, 3);

        // Then
        Assert.Equal(Path.Combine("root", "00012", "samples", "0003.png"), file);
        Assert.Equal(Path.Combine("root", "00012", "metadata.jsonl"), GenEvalImageFolder.MetadataFile("root", 12));
    }
}
