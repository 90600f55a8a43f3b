using FlowTune.Common;
using FlowTune.Models.Text;
using FlowTune.Training;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Pretraining data of the shapes world: a prompt drawn with every tag equally likely (so the small tags are not
/// drowned by color_attr's many prompts), then a ground-truth render of a scene satisfying it. Every caption comes
/// with its structure labels (<see cref="GenEvalCaptionLabels"/>).
/// </summary>
public sealed class ShapesImageTextSource : IImageTextSource
{
    private readonly IReadOnlyList<GenEvalEntry> _prompts;
    private readonly TagBalancedDraw _balanced;
    private readonly PromptSceneSampler _sampler;
    private readonly int _size;
    private readonly GenEvalCaptionLabels _labels;

    /// <summary>
    /// Draws from <paramref name="prompts"/> (e.g. the train split) at the given canvas size, tag first: every tag
    /// equally often, or by <paramref name="tagWeights"/> (GenEval tag names; missing tags weigh 1; unknown names are errors).
    /// </summary>
    public ShapesImageTextSource(IReadOnlyList<GenEvalEntry> prompts, int canvasSize = 32, IReadOnlyDictionary<string, double>? tagWeights = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (tagWeights?.Keys.FirstOrDefault(t => !GenEvalTagDraw.TagOrder.Contains(t)) is { } unknown)
        {
            throw new ArgumentException($"unknown tag '{unknown}' in the tag weights (known: {string.Join(", ", GenEvalTagDraw.TagOrder)})", nameof(tagWeights));
        }
        _prompts = prompts;
        _balanced = new TagBalancedDraw([.. prompts.Select(p => (string?)GenEvalTags.Name(p.Tag))], GenEvalTagDraw.TagOrder, tagWeights);
        _sampler = new PromptSceneSampler(ShapesWorldOptions.ForCanvas(canvasSize));
        _size = canvasSize;
        Vocabulary = WorldVocabulary();
        _labels = new GenEvalCaptionLabels(
            ShapeVocabulary.Shapes.Select(ShapeVocabulary.Name).ToList(),
            ShapeVocabulary.Colors.Select(ShapeVocabulary.Name).ToList(),
            ShapesWorldOptions.ForCanvas(canvasSize).MaxObjects);
    }

    /// <inheritdoc />
    public long[] ImageShape => [3, _size, _size];

    /// <inheritdoc />
    public IReadOnlyList<string> Vocabulary { get; }

    /// <inheritdoc />
    public CaptionLabelSpace LabelSpace => _labels.Space;

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
        var labels = new IReadOnlyList<WordLabels>[count];
        for (var i = 0; i < count; i++)
        {
            var entry = _prompts[_balanced.Next(random)];
            var (_, image) = _sampler.SampleAndRender(entry, random.Next());
            prompts[i] = entry.Prompt;
            labels[i] = _labels.For(entry);
            image.Data.CopyTo(pixels, i * image.Data.Length);
        }
        return new ImageTextBatch(prompts, pixels, labels);
    }
}
