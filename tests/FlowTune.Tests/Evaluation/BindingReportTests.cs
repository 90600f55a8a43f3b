using FlowTune.Evaluation;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

/// <summary>Issue 19's binding protocol: meanings and mirrors of prompts, the counts, the mirrored subset, the chance levels.</summary>
public sealed class BindingReportTests
{
    private static readonly ShapesWorld World = new();

    [Fact]
    public void Should_GiveParaphrasesOneMeaningAndMirrorsAnother_When_KeyingBindingPrompts()
    {
        // Given
        var left = GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring");
        var paraphrase = GenEvalPrompts.Position("ring", PositionRelation.RightOf, "cross");
        var mirror = GenEvalPrompts.Position("ring", PositionRelation.LeftOf, "cross");
        var colours = GenEvalPrompts.ColorAttr("cross", "red", "ring", "blue");
        var reordered = GenEvalPrompts.ColorAttr("ring", "blue", "cross", "red");
        var swapped = GenEvalPrompts.ColorAttr("cross", "blue", "ring", "red");

        // Then
        Assert.Equal(GenEvalMeaning.Key(left), GenEvalMeaning.Key(paraphrase));
        Assert.NotEqual(GenEvalMeaning.Key(left), GenEvalMeaning.Key(mirror));
        Assert.Equal(GenEvalMeaning.Key(mirror), GenEvalMeaning.MirrorKey(left));
        Assert.Equal(GenEvalMeaning.Key(colours), GenEvalMeaning.Key(reordered));
        Assert.Equal(GenEvalMeaning.Key(swapped), GenEvalMeaning.MirrorKey(colours));
        Assert.Null(GenEvalMeaning.Key(GenEvalPrompts.TwoObject("cross", "ring")));
    }

    [Fact]
    public void Should_CountBothDrawnAndBoundRight_When_ImagesFailForDifferentReasons()
    {
        // Given: per binding prompt of the test split, four images: correct; both drawn but bound wrong; one object
        // missing; and (first clause) wrongly coloured while the other object is missing, which is not "both drawn"
        var (train, test) = World.DefaultPrompts();
        var judge = World.Judge();
        var binding = test.Where(e => e.Tag is GenEvalTag.Position or GenEvalTag.ColorAttr).ToList();
        var results = new List<EvalImageResult>();
        foreach (var entry in binding)
        {
            var tag = GenEvalTags.Name(entry.Tag);
            var wrong = entry.Tag == GenEvalTag.Position ? GenEvalFailure.WrongPosition : GenEvalFailure.WrongColor;
            results.Add(new EvalImageResult(entry.Prompt, tag, 0, true, 1, [], GenEvalFailure.None, []));
            results.Add(new EvalImageResult(entry.Prompt, tag, 1, false, 0.5, ["bound wrong"], wrong, [wrong]));
            results.Add(new EvalImageResult(entry.Prompt, tag, 2, false, 0.5, ["missing"], GenEvalFailure.MissingObjects, [GenEvalFailure.MissingObjects]));
            results.Add(new EvalImageResult(entry.Prompt, tag, 3, false, 0, ["colour", "missing"], GenEvalFailure.WrongColor, [GenEvalFailure.WrongColor, GenEvalFailure.MissingObjects]));
        }

        // When
        var report = BindingReport.Compute(test, train, results, World, judge, 32);

        // Then: a quarter of the images are right, half have both objects, half of those are bound right
        var all = report.Subsets[0];
        foreach (var counts in new[] { all.Position, all.ColorAttr })
        {
            Assert.Equal(0.25, counts.Accuracy);
            Assert.Equal(0.5, counts.BothDrawnShare);
            Assert.Equal(0.5, counts.BoundRightShare);
        }
        Assert.Equal(4 * binding.Count(e => e.Tag == GenEvalTag.Position), all.Position.Images);
        // the mirrored subset holds exactly the test prompts whose mirror image is a train prompt
        var trained = train.Select(GenEvalMeaning.Key).OfType<string>().ToHashSet();
        Assert.Equal(binding.Count(e => trained.Contains(GenEvalMeaning.MirrorKey(e)!)), report.Subsets[1].Prompts);
        Assert.InRange(report.Subsets[1].Prompts, 1, binding.Count - 1);
        // random layouts: some relations hold by chance, far from all (the prompts' own ground truth holds nearly always)
        var own = test.Where(e => e.Tag == GenEvalTag.Position).Average(e => judge.Score(World.RenderGroundTruth(e, 32, 0), e).Correct ? 1.0 : 0.0);
        Assert.InRange(report.PositionChance, 0.1, 0.6);
        Assert.True(own > report.PositionChance + 0.3, $"ground truth {own:P0} against random layouts {report.PositionChance:P0}");
        Assert.Equal(0.25, report.ColorChance);
        Assert.Contains("relation right when both drawn", report.Format(), StringComparison.Ordinal);
    }
}
