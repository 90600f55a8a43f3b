using FlowTune.Evaluation;
using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

public sealed class ImageFolderScoreTests
{
    [Fact]
    public void Should_ScoreGroundTruthPerfectly_When_FolderFollowsGenEvalLayout()
    {
        // Given: the world's own ground truth, one image for every tenth test prompt
        var world = new ShapesWorld();
        var (_, test) = world.DefaultPrompts();
        var entries = test.Where((_, i) => i % 10 == 0).ToList();
        var dir = Path.Combine(Path.GetTempPath(), $"score-{Guid.NewGuid():N}");
        GroundTruthFolder.Write(world, entries, dir, new GroundTruthRenderOptions { SamplesPerPrompt = 1 });

        // When
        var score = ImageFolderScore.Measure(dir, entries, world.Judge());

        // Then
        Directory.Delete(dir, true);
        Assert.Equal(entries.Count, score.Images);
        Assert.Equal(1.0, score.Accuracy.Overall, 9);
        Assert.Equal(1.0, score.MeanReward, 9);
    }

    [Fact]
    public void Should_AverageTheJudgesVerdicts_When_PromptsHaveDifferentImageCounts()
    {
        // Given: prompt 0 (one tag) has images of brightness 0.2 and 1.0, prompt 1 (another tag) one of 0.8, and a
        // file that is not a PNG; the judge's reward is the brightness and it passes images brighter than 0.5
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var entries = new List<GenEvalEntry> { test.First(e => e.Tag == GenEvalTag.Colors), test.First(e => e.Tag == GenEvalTag.Position) };
        var dir = Path.Combine(Path.GetTempPath(), $"score-{Guid.NewGuid():N}");
        PngWriter.WriteFile(GenEvalImageFolder.SampleFile(dir, 0, 0), RgbImage.Filled(4, 4, 0.2f, 0.2f, 0.2f));
        PngWriter.WriteFile(GenEvalImageFolder.SampleFile(dir, 0, 1), RgbImage.Filled(4, 4, 1f, 1f, 1f));
        PngWriter.WriteFile(GenEvalImageFolder.SampleFile(dir, 1, 0), RgbImage.Filled(4, 4, 0.8f, 0.8f, 0.8f));
        File.WriteAllText(Path.Combine(GenEvalImageFolder.SamplesFolder(dir, 1), "notes.txt"), "not an image");

        // When
        var score = ImageFolderScore.Measure(dir, entries, new BrightnessJudge());

        // Then: colors 1 of 2, position 1 of 1; overall is the mean of the tags, reward the mean of the images
        Directory.Delete(dir, true);
        Assert.Equal(3, score.Images);
        Assert.Equal(0.5, score.Accuracy.Accuracy(GenEvalTag.Colors), 9);
        Assert.Equal(1.0, score.Accuracy.Accuracy(GenEvalTag.Position), 9);
        Assert.Equal(0.75, score.Accuracy.Overall, 9);
        Assert.Equal((0.2 + 1.0 + 0.8) / 3, score.MeanReward, 5);
    }

    [Fact]
    public void Should_NameThePrompt_When_ItsImagesAreMissing()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var dir = Directory.CreateTempSubdirectory("score-empty").FullName;

        // When
        var error = Assert.Throws<InvalidDataException>(() => ImageFolderScore.Measure(dir, test.Take(2).ToList(), new ShapesWorld().Judge()));

        // Then
        Directory.Delete(dir, true);
        Assert.Contains("prompt 0", error.Message, StringComparison.Ordinal);
        Assert.Contains(test[0].Prompt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameTheFile_When_AnImageIsNotAValidPng()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var dir = Path.Combine(Path.GetTempPath(), $"score-{Guid.NewGuid():N}");
        var file = GenEvalImageFolder.SampleFile(dir, 0, 0);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, [1, 2, 3, 4]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => ImageFolderScore.Measure(dir, test.Take(1).ToList(), new BrightnessJudge()));

        // Then
        Directory.Delete(dir, true);
        Assert.StartsWith(file, error.Message, StringComparison.Ordinal);
    }

    private sealed class BrightnessJudge : IImageJudge
    {
        public GenEvalScore Score(RgbImage image, GenEvalEntry entry)
        {
            double brightness = image.Data.Average();
            return new GenEvalScore(brightness > 0.5, brightness > 0.5, brightness, [], []);
        }
    }
}
