using FlowTune.Models.Text;
using FlowTune.Training;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Pretraining data of the shapes world: a prompt drawn with every tag equally likely (so the small tags are not
/// drowned by color_attr's many prompts), then a ground-truth render of a scene satisfying it.
/// </summary>
public sealed class ShapesImageTextSource : IImageTextSource
{
    private readonly IReadOnlyList<GenEvalEntry> _prompts;
    private readonly TagBalancedDraw _balanced;
    private readonly PromptSceneSampler _sampler;
    private readonly int _size;

    /// <summary>Draws from <paramref name="prompts"/> (e.g. the train split) at the given canvas size.</summary>
    public ShapesImageTextSource(IReadOnlyList<GenEvalEntry> prompts, int canvasSize = 32)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        _prompts = prompts;
        _balanced = new TagBalancedDraw(prompts);
        _sampler = new PromptSceneSampler(ShapesWorldOptions.ForCanvas(canvasSize));
        _size = canvasSize;
        Vocabulary = WorldVocabulary();
    }

    /// <inheritdoc />
    public long[] ImageShape => [3, _size, _size];

    /// <inheritdoc />
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Every word of every prompt the shapes world can produce (train and test alike).</summary>
    public static IReadOnlyList<string> WorldVocabulary() =>
        GenEvalTags.All.SelectMany(ShapesPromptCatalog.Enumerate)
            .SelectMany(e => Tokenizer.Words(e.Entry.Prompt))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public ImageTextBatch Batch(int count, int seed)
    {
        var random = new Random(seed);
        var prompts = new string[count];
        var pixels = new float[count * 3 * _size * _size];
        for (var i = 0; i < count; i++)
        {
            var entry = _prompts[_balanced.Next(random)];
            var (_, image) = _sampler.SampleAndRender(entry, random.Next());
            prompts[i] = entry.Prompt;
            image.Data.CopyTo(pixels, i * image.Data.Length);
        }
        return new ImageTextBatch(prompts, pixels);
    }
}
