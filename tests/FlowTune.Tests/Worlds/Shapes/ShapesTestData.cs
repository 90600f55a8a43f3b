using FlowTune.Imaging;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

/// <summary>Shared fixtures: one detector and judge per test run (the classifier loads once).</summary>
internal static class ShapesTestData
{
    public static ShapesDetector Detector { get; } = new();

    public static ShapesGenEval Judge { get; } = new(Detector);

    public static (IReadOnlyList<GenEvalEntry> Train, IReadOnlyList<GenEvalEntry> Test) Split { get; } = new ShapesPromptSplit().Generate();

    public static List<DetectedObject> Confident(RgbImage image) =>
        Detector.Detect(image).Where(d => d.Confidence > ShapesGenEval.DefaultScoringOptions.ConfidenceThreshold).ToList();
}
