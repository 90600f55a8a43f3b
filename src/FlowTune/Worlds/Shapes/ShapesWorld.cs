using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>The shapes world: 5 shapes × 8 colours, GenEval's six tags, a pixel detector as judge.</summary>
public sealed class ShapesWorld : IWorld
{
    private readonly Lazy<ShapesGenEval> _judge = new(() => new ShapesGenEval());
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, PromptSceneSampler> _samplers = new();

    /// <inheritdoc />
    public string Name => "shapes";

    /// <inheritdoc />
    public (IReadOnlyList<GenEvalEntry> Train, IReadOnlyList<GenEvalEntry> Test) DefaultPrompts() => new ShapesPromptSplit().Generate();

    /// <inheritdoc />
    public Training.IImageTextSource TrainingSource(IReadOnlyList<GenEvalEntry> prompts, int imageSize, IReadOnlyDictionary<string, double>? tagWeights = null) =>
        new ShapesImageTextSource(prompts, imageSize, tagWeights);

    /// <inheritdoc />
    public RgbImage RenderGroundTruth(GenEvalEntry entry, int imageSize, int seed) =>
        _samplers.GetOrAdd(imageSize, size => new PromptSceneSampler(ShapesWorldOptions.ForCanvas(size))).SampleAndRender(entry, seed).Image;

    /// <inheritdoc />
    public IImageJudge Judge() => _judge.Value;
}
