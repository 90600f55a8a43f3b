using System.Globalization;
using System.Text;
using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>
/// How often images with both objects of a binding prompt bind them right (issue 19's protocol): for position,
/// "both objects drawn" and "relation right when both drawn"; for colour attribution, "both objects drawn" and
/// "colours bound right when both drawn". Computed per subset (all test prompts; the test prompts whose mirror image
/// was trained on, where a model that memorised pairs scores below chance).
/// </summary>
/// <param name="Name">The subset.</param>
/// <param name="Prompts">Binding prompts in it (position + colour attribution).</param>
/// <param name="Position">Position images.</param>
/// <param name="ColorAttr">Colour-attribution images.</param>
public sealed record BindingSubset(string Name, int Prompts, BindingCounts Position, BindingCounts ColorAttr);

/// <summary>Counts of one tag's images: all, correct (strict), and with both objects drawn.</summary>
public sealed record BindingCounts(int Images, int Correct, int BothDrawn)
{
    /// <summary>Images with both objects bound right: the correct ones (a correct image has both, bound right).</summary>
    public int BoundRight => Correct;

    /// <summary>Strict accuracy.</summary>
    public double Accuracy => Ratio(Correct, Images);

    /// <summary>Share of images with both objects (whatever their relation or colours).</summary>
    public double BothDrawnShare => Ratio(BothDrawn, Images);

    /// <summary>Share bound right among the images with both objects.</summary>
    public double BoundRightShare => Ratio(BoundRight, BothDrawn);

    private static double Ratio(int a, int b) => b == 0 ? double.NaN : a / (double)b;
}

/// <summary>The binding report of an evaluation, with the chance levels beside it (written as binding.json).</summary>
/// <param name="Subsets">All test prompts, then the mirrored keys.</param>
/// <param name="PositionChance">"Relation right when both drawn" of the two objects placed at random (the world's two-object scenes judged against each position prompt).</param>
/// <param name="ColorChance">"Colours bound right when both drawn" when each object takes one of the two named colours at random.</param>
public sealed record BindingReport(IReadOnlyList<BindingSubset> Subsets, double PositionChance, double ColorChance)
{
    /// <summary>Scenes per position prompt for the chance level.</summary>
    public const int ChanceScenes = 16;

    /// <summary>
    /// The report of <paramref name="results"/> (an evaluation of <paramref name="test"/>); mirrored keys are the test
    /// prompts whose mirror image is among <paramref name="train"/>'s meanings; the chance of a random layout is
    /// measured with <paramref name="world"/>'s renders at <paramref name="imageSize"/>.
    /// </summary>
    public static BindingReport Compute(IReadOnlyList<GenEvalEntry> test, IReadOnlyList<GenEvalEntry> train, IReadOnlyList<EvalImageResult> results,
        IWorld world, IImageJudge judge, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(judge);
        var byPrompt = test.GroupBy(e => e.Prompt, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var trained = train.Select(GenEvalMeaning.Key).OfType<string>().ToHashSet(StringComparer.Ordinal);
        bool Mirrored(GenEvalEntry e) => GenEvalMeaning.MirrorKey(e) is { } m && trained.Contains(m);
        var images = results.Where(r => byPrompt.ContainsKey(r.Prompt)).Select(r => (Entry: byPrompt[r.Prompt], Result: r)).ToList();
        BindingSubset Subset(string name, Func<GenEvalEntry, bool> keep)
        {
            var chosen = images.Where(i => keep(i.Entry)).ToList();
            var prompts = test.Where(keep).Count(e => e.Tag is GenEvalTag.Position or GenEvalTag.ColorAttr);
            return new BindingSubset(name, prompts, Count(chosen, GenEvalTag.Position), Count(chosen, GenEvalTag.ColorAttr));
        }
        var subsets = new[] { Subset("all test prompts", _ => true), Subset("mirrored keys (the mirror image is a train prompt)", Mirrored) };
        return new BindingReport(subsets, RandomLayoutChance(test, world, judge, imageSize), 0.25);
    }

    /// <summary>Both drawn = correct, or no clause failing for a missing object (only by the binding: a wrong relation, wrong colours).</summary>
    private static BindingCounts Count(List<(GenEvalEntry Entry, EvalImageResult Result)> images, GenEvalTag tag)
    {
        var of = images.Where(i => i.Entry.Tag == tag).Select(i => i.Result).ToList();
        var correct = of.Count(r => r.Correct);
        var both = of.Count(r => r.Correct || (r.Causes ?? [r.Cause]).All(c => c is not GenEvalFailure.MissingObjects));
        return new BindingCounts(of.Count, correct, both);
    }

    /// <summary>Relation right among random layouts with both objects: each position prompt's two objects as the world's two-object scene.</summary>
    private static double RandomLayoutChance(IReadOnlyList<GenEvalEntry> test, IWorld world, IImageJudge judge, int imageSize)
    {
        int both = 0, right = 0;
        foreach (var entry in test.Where(e => e.Tag == GenEvalTag.Position && e.Include.Count == 2))
        {
            var scene = GenEvalPrompts.TwoObject(entry.Include[0].ClassName, entry.Include[1].ClassName);
            for (var s = 0; s < ChanceScenes; s++)
            {
                var score = judge.Score(world.RenderGroundTruth(scene, imageSize, s), entry);
                both += score.Correct || score.Causes.All(c => c is not GenEvalFailure.MissingObjects) ? 1 : 0;
                right += score.Correct ? 1 : 0;
            }
        }
        return both == 0 ? double.NaN : right / (double)both;
    }

    /// <summary>The report as a table, chance levels beside the shares they compare with.</summary>
    public string Format()
    {
        static string P(double v) => double.IsNaN(v) ? "n/a" : v.ToString("P1", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"binding ({"chance",7}: relation {P(PositionChance)} of random layouts; colours {P(ColorChance)} when each object takes a named colour at random)");
        foreach (var s in Subsets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {s.Name}: {s.Prompts} binding prompts");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"    position    {P(s.Position.Accuracy),7} strict  both drawn {P(s.Position.BothDrawnShare),7}  relation right when both drawn {P(s.Position.BoundRightShare),7} (chance {P(PositionChance)})  ({s.Position.Images} images)");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"    color_attr  {P(s.ColorAttr.Accuracy),7} strict  both drawn {P(s.ColorAttr.BothDrawnShare),7}  colours bound right when both drawn {P(s.ColorAttr.BoundRightShare),7} (chance {P(ColorChance)})  ({s.ColorAttr.Images} images)");
        }
        return text.ToString().TrimEnd();
    }
}
