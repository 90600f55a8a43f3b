namespace FlowTune.Training;

/// <summary>One batch of captioned training images as managed data (rendered off the libtorch thread).</summary>
/// <param name="Prompts">B captions.</param>
/// <param name="Pixels">[B, C, H, W] row-major, values in [0, 1].</param>
public sealed record ImageTextBatch(IReadOnlyList<string> Prompts, float[] Pixels);

/// <summary>Supplies captioned images for pretraining. Must be deterministic in (<c>seed</c>): same seed, same batch.</summary>
public interface IImageTextSource
{
    /// <summary>Image shape [C, H, W].</summary>
    long[] ImageShape { get; }

    /// <summary>Every word the captions can contain (the tokenizer's vocabulary).</summary>
    IReadOnlyList<string> Vocabulary { get; }

    /// <summary>A batch of <paramref name="count"/> images determined by <paramref name="seed"/> alone.</summary>
    ImageTextBatch Batch(int count, int seed);
}
