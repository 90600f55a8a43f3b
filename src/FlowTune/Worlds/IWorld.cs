using FlowTune.Imaging;
using FlowTune.Training;

namespace FlowTune.Worlds;

/// <summary>
/// A verifiable benchmark world: its prompts, ground-truth renders, pretraining data and judge. New worlds
/// (text rendering with an OCR reward, ...) implement this and register in <see cref="WorldRegistry"/>.
/// </summary>
public interface IWorld
{
    /// <summary>Registry name (e.g. "shapes").</summary>
    string Name { get; }

    /// <summary>The built-in train and test prompts (the content of the shipped files under data/).</summary>
    (IReadOnlyList<GenEvalEntry> Train, IReadOnlyList<GenEvalEntry> Test) DefaultPrompts();

    /// <summary>Captioned images for pretraining, drawn from <paramref name="prompts"/>.</summary>
    IImageTextSource TrainingSource(IReadOnlyList<GenEvalEntry> prompts, int imageSize, IReadOnlyDictionary<string, double>? tagWeights = null);

    /// <summary>A ground-truth image of a scene satisfying <paramref name="entry"/>.</summary>
    RgbImage RenderGroundTruth(GenEvalEntry entry, int imageSize, int seed);

    /// <summary>The judge (detector + GenEval scoring) for this world's images.</summary>
    IImageJudge Judge();
}
