using System.Text.Json;
using FlowTune.Evaluation;
using FlowTune.Imaging;
using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

public sealed class PretrainQuickEvaluationTests
{
    [Fact]
    public void Should_TakeTheFirstPromptsOfEveryTag_When_Created()
    {
        // Given
        var (_, test) = new ShapesWorld().DefaultPrompts();
        var dir = Path.Combine(Path.GetTempPath(), $"quick-{Guid.NewGuid():N}");

        // When
        IReadOnlyList<GenEvalEntry> prompts;
        using (var quick = new PretrainQuickEvaluation(test, new PassesEveryOtherImage(), 3, dir))
        {
            prompts = quick.Prompts;
            Assert.Equal(1, quick.Options.SamplesPerPrompt);
            Assert.Equal(3, quick.Options.MinImagesPerTag);
        }

        // Then
        Directory.Delete(dir, true);
        foreach (var tag in test.Select(e => e.Tag).Distinct())
        {
            Assert.Equal(test.Where(e => e.Tag == tag).Take(3), prompts.Where(e => e.Tag == tag));
        }
        Assert.Equal(test.Select(e => e.Tag).Distinct().Sum(t => Math.Min(3, test.Count(e => e.Tag == t))), prompts.Count);
    }

    [Fact]
    public void Should_WriteTheEvaluationAndAppendOneCurveRecordPerCall_When_Evaluating()
    {
        // Given: a tiny model, two prompts of one tag and one of another, a judge passing every second sample
        using var scope = TensorScope.Enter();
        using var model = EvalFixtures.TinyModel();
        var entries = EvalFixtures.OnePromptPerTag().Take(2).ToList();
        var (_, test) = new ShapesWorld().DefaultPrompts();
        entries.Add(test.Where(e => e.Tag == entries[0].Tag).Skip(1).First());
        var dir = Path.Combine(Path.GetTempPath(), $"quick-{Guid.NewGuid():N}");

        // When
        PretrainQuickEvalResult first, second;
        using (var quick = new PretrainQuickEvaluation(entries, new PassesEveryOtherImage(), 2, dir))
        {
            first = quick.Evaluate(5, model, 90);
            second = quick.Evaluate(10, model, 150);
        }
        var lines = File.ReadAllLines(Path.Combine(dir, PretrainQuickEvaluation.CurveFile));
        var wroteEval = File.Exists(Path.Combine(dir, "samples", "step_000005", "eval.json")) && File.Exists(Path.Combine(dir, "samples", "step_000010", "eval.json"));
        Directory.Delete(dir, true);

        // Then: two images per tag (the one-prompt tag draws two samples: sample 0 passes, sample 1 fails)
        Assert.True(wroteEval);
        Assert.Equal((5L, 1.5), (first.Step, first.TrainMinutes));
        Assert.Equal((10L, 2.5), (second.Step, second.TrainMinutes));
        Assert.Equal(4, first.Report.Images);
        Assert.Equal(1.0, first.Report.Tags.Single(t => t.Tag == GenEvalTags.Name(entries[0].Tag)).Accuracy, 9);
        Assert.Equal(0.5, first.Report.Tags.Single(t => t.Tag == GenEvalTags.Name(entries[1].Tag)).Accuracy, 9);
        Assert.Equal(2, lines.Length);
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([5, 10], records.Select(r => r.GetProperty("step").GetInt64()));
        Assert.Equal([1.5, 2.5], records.Select(r => r.GetProperty("train_minutes").GetDouble()));
        Assert.Equal(first.Report.Overall, records[0].GetProperty("overall").GetDouble(), 12);
        Assert.Equal(first.Report.MeanReward, records[0].GetProperty("mean_reward").GetDouble(), 12);
        Assert.Equal(0.5, records[0].GetProperty("tags").GetProperty(GenEvalTags.Name(entries[1].Tag)).GetDouble(), 12);
    }

    [Fact]
    public void Should_Refuse_When_ThereAreNoTestPrompts()
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"quick-{Guid.NewGuid():N}");

        // When / Then
        Assert.Throws<ArgumentException>(() => new PretrainQuickEvaluation([], new PassesEveryOtherImage(), 2, dir));
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>Passes the 1st, 3rd, ... image it is shown of each prompt (in whatever order the evaluator scores them).</summary>
    private sealed class PassesEveryOtherImage : IImageJudge
    {
        private readonly Dictionary<string, int> _seen = [];

        public GenEvalScore Score(RgbImage image, GenEvalEntry entry)
        {
            lock (_seen)
            {
                var n = _seen.GetValueOrDefault(entry.Prompt);
                _seen[entry.Prompt] = n + 1;
                var pass = n % 2 == 0;
                return new GenEvalScore(pass, pass, pass ? 1.0 : 0.0, [], []);
            }
        }
    }
}
