using FlowTune.Cli.Commands;
using FlowTune.IO;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Cli;

public sealed class WorldCommandTests
{
    [Fact]
    public void Should_ScoreGroundTruthPerfectly_When_FolderFollowsGenEvalLayout()
    {
        // Given
        var world = new ShapesWorld();
        var (_, test) = world.DefaultPrompts();
        var entries = test.Where((_, i) => i % 10 == 0).ToList();
        var dir = Path.Combine(Path.GetTempPath(), $"score-{Guid.NewGuid():N}");
        for (var p = 0; p < entries.Count; p++)
        {
            var samples = Path.Combine(dir, p.ToString("D5"), "samples");
            Directory.CreateDirectory(samples);
            PngWriter.WriteFile(Path.Combine(samples, "0000.png"), world.RenderGroundTruth(entries[p], 32, p));
        }

        // When
        var (accuracy, reward, images) = WorldCommand.ScoreFolder(dir, entries, world.Judge());

        // Then
        Directory.Delete(dir, true);
        Assert.Equal(entries.Count, images);
        Assert.Equal(1.0, accuracy.Overall, 9);
        Assert.Equal(1.0, reward, 9);
    }

    [Fact]
    public void Should_NameThePrompt_When_ItsImagesAreMissing()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var dir = Directory.CreateTempSubdirectory("score-empty").FullName;

        // When
        var error = Assert.Throws<InvalidDataException>(() => WorldCommand.ScoreFolder(dir, test.Take(2).ToList(), new ShapesWorld().Judge()));

        // Then
        Directory.Delete(dir, true);
        Assert.Contains("prompt 0", error.Message, StringComparison.Ordinal);
        Assert.Contains(test[0].Prompt, error.Message, StringComparison.Ordinal);
    }
}
