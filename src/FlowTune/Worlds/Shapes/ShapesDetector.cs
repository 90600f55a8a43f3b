using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Finds shapes in an image from its pixels alone: background-relative saliency → threshold → 8-connected
/// components; components too small or too large to be an object are dropped; each remaining component is
/// measured (<see cref="ComponentMeasurement"/>), its shape classified from blur-robust features by a linear
/// classifier trained on degraded renders (<see cref="ShapeClassifierTrainer"/>), and its colour named by the
/// nearest palette chromaticity. Confidence is the shape probability, reduced when the component's colour is
/// incoherent (noise blobs). Thread-safe.
/// </summary>
public sealed class ShapesDetector : IObjectDetector
{
    /// <summary>Default saliency threshold (value above the background level, [0, 1] scale).</summary>
    public const float DefaultSaliencyThreshold = 0.3f;

    // Component sides (pixels at 32×32) beyond which a component is taken for merged objects and split.
    private const double MergedSide = 14;

    private readonly ShapeClassifier _classifier;
    private readonly float _threshold;

    /// <summary>Creates a detector with the shipped classifier weights (loaded once per process).</summary>
    public ShapesDetector()
        : this(ShapeClassifierWeights.Default, DefaultSaliencyThreshold)
    {
    }

    internal ShapesDetector(ShapeClassifier classifier, float threshold)
    {
        _classifier = classifier;
        _threshold = threshold;
    }

    /// <inheritdoc/>
    public IReadOnlyList<DetectedObject> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ForegroundComponents fg = ForegroundComponents.Find(image, _threshold);
        double scale = Math.Sqrt(image.PlaneSize / 1024.0);
        double minArea = 12 * scale * scale;
        double maxSide = 22 * scale;
        var detections = new List<DetectedObject>();
        int nextLabel = fg.Components.Count;
        var components = new List<ForegroundComponent>();
        foreach (ForegroundComponent component in fg.Components)
        {
            bool oversized = Math.Max(component.BoxWidth, component.BoxHeight) > MergedSide * scale;
            components.AddRange(oversized ? ComponentSplitter.Split(fg, component, (int)minArea, ref nextLabel) : [component]);
        }

        foreach (ForegroundComponent component in components)
        {
            if (component.Pixels.Count < minArea || component.BoxWidth > maxSide || component.BoxHeight > maxSide)
            {
                continue;
            }

            ComponentMeasurement m = ComponentMeasurement.Measure(image, fg, component);
            float[] probabilities = _classifier.Probabilities(m.Features);
            int best = 0;
            for (int k = 1; k < probabilities.Length; k++)
            {
                if (probabilities[k] > probabilities[best])
                {
                    best = k;
                }
            }

            (ShapeColor color, float _) = ColorClassifier.Classify(m.CoreColor);
            double coherence = Math.Exp(-Math.Max(0, m.ColorSpread - 0.2) / 0.1);
            detections.Add(new DetectedObject(
                ShapeVocabulary.Name((ShapeKind)best),
                ShapeVocabulary.Name(color),
                m.Box,
                m.CentroidX,
                m.CentroidY,
                probabilities[best] * coherence));
        }

        return detections;
    }
}
