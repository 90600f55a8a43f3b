using System.Text.Json;
using FlowTune.Evaluation;
using FlowTune.Imaging;
using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Fact]
    public void Should_GiveSmallTagsMoreSamples_When_PlanningImagesPerTag()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var options = new EvalOptions { SamplesPerPrompt = 2, MinImagesPerTag = 10 };

        // When
        var jobs = Evaluator.Plan(test, options);

        // Then
        foreach (var tag in GenEvalTags.All)
        {
            var prompts = test.Count(e => e.Tag == tag);
            var images = jobs.Count(j => test[j.Entry].Tag == tag);
            Assert.Equal(prompts * Math.Max(2, (int)Math.Ceiling(10.0 / prompts)), images);
            Assert.True(images >= 10);
        }
    }

    [Fact]
    public void Should_MeasureZeroDiversity_When_SamplesAreIdentical()
    {
        // Given
        var a = RgbImage.Filled(4, 4, 0.2f, 0.4f, 0.6f);
        var b = RgbImage.Filled(4, 4, 0.7f, 0.4f, 0.6f);

        // When
        var same = Evaluator.Diversity([[a, a.Clone()]]);
        var different = Evaluator.Diversity([[a, b]]);

        // Then
        Assert.Equal(0.0, same, 9);
        Assert.Equal(Math.Sqrt(0.25 / 3), different, 6); // one channel of three differs by 0.5
    }

    [Fact]
    public void Should_WriteEveryImagesVerdictAndReasons_When_EvaluatingIntoAFolder()
    {
        // Given: a tiny model, one test prompt per tag, and a judge that passes two tags and names why the rest fail
        using var scope = TensorScope.Enter();
        var entries = EvalFixtures.OnePromptPerTag();
        using var model = EvalFixtures.TinyModel();
        var options = new EvalOptions { Steps = 2, SamplesPerPrompt = 2, MinImagesPerTag = 3, BatchSize = 5 };
        var dir = Path.Combine(Path.GetTempPath(), $"eval-{Guid.NewGuid():N}");

        // When
        var report = Evaluator.Run(model, entries, new TagJudge(), options, dir);
        var lines = File.ReadAllLines(Path.Combine(dir, "results.jsonl"));
        Directory.Delete(dir, true);

        // Then: one line per image, agreeing with the report tag by tag
        Assert.Equal(report.Images, lines.Length);
        var rows = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3 * entries.Count, rows.Count);
        foreach (var tag in report.Tags)
        {
            var ofTag = rows.Where(r => r.GetProperty("tag").GetString() == tag.Tag).ToList();
            Assert.Equal(tag.Images, ofTag.Count);
            Assert.Equal(tag.Accuracy, ofTag.Count(r => r.GetProperty("correct").GetBoolean()) / (double)ofTag.Count, 9);
        }
        Assert.All(rows, r =>
        {
            var correct = r.GetProperty("correct").GetBoolean();
            var reasons = r.GetProperty("reasons").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(correct ? [] : [$"fails {r.GetProperty("tag").GetString()}"], reasons);
            Assert.Contains(r.GetProperty("prompt").GetString(), entries.Select(e => e.Prompt));
            Assert.Equal(correct ? 1.0 : 0.25, r.GetProperty("reward").GetDouble());
        });
        Assert.Equal([0, 1, 2], rows.Select(r => r.GetProperty("sample").GetInt32()).Distinct().Order());
        // failure causes: in every line, and as shares per tag in the report and its text
        Assert.All(rows, r => Assert.Equal(
            r.GetProperty("correct").GetBoolean() ? "none" : r.GetProperty("tag").GetString() == "position" ? "wrong_position" : "missing_objects",
            r.GetProperty("cause").GetString()));
        var position = report.Tags.Single(t => t.Tag == "position");
        Assert.Equal(1.0, position.Failures![GenEvalFailure.WrongPosition]);
        Assert.Empty(report.Tags.Single(t => t.Tag == "colors").Failures!);
        Assert.Contains("failed: wrong position 100", report.Format());
    }

    private sealed class TagJudge : IImageJudge
    {
        public GenEvalScore Score(RgbImage image, GenEvalEntry entry)
        {
            var pass = entry.Tag is GenEvalTag.SingleObject or GenEvalTag.Colors;
            return new GenEvalScore(pass, pass, pass ? 1.0 : 0.25, [], pass ? [] : [$"fails {GenEvalTags.Name(entry.Tag)}"])
            {
                Cause = entry.Tag == GenEvalTag.Position ? GenEvalFailure.WrongPosition : GenEvalFailure.MissingObjects,
            };
        }
    }
}
