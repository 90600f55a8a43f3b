namespace FlowTune.Training;

/// <summary>One batch of captioned training images as managed data (rendered off the libtorch thread).</summary>
/// <param name="Prompts">B captions.</param>
/// <param name="Pixels">[B, C, H, W] row-major, values in [0, 1].</param>
/// <param name="Labels">Per caption, the structure labels of its words (<see cref="IImageTextSource.LabelSpace"/>), or null.</param>
public sealed record ImageTextBatch(IReadOnlyList<string> Prompts, float[] Pixels, IReadOnlyList<IReadOnlyList<WordLabels>>? Labels = null);

/// <summary>Supplies captioned images for pretraining. Must be deterministic in (<c>seed</c>): same seed, same batch.</summary>
public interface IImageTextSource
{
    /// <summary>Image shape [C, H, W].</summary>
    long[] ImageShape { get; }

    /// <summary>Every word the captions can contain (the tokenizer's vocabulary).</summary>
    IReadOnlyList<string> Vocabulary { get; }

    /// <summary>
    /// The heads of the labels that <see cref="Batch"/> attaches to caption words (what each noun's colour, count and
    /// spatial role are), or null when the source has none. Pretraining can teach the text encoder to predict them
    /// (<see cref="PretrainOptions.CaptionLabelWeight"/>).
    /// </summary>
    CaptionLabelSpace? LabelSpace => null;

    /// <summary>A batch of <paramref name="count"/> images determined by <paramref name="seed"/> alone.</summary>
    ImageTextBatch Batch(int count, int seed);
}
