using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// The shapes world's GenEval judge: <see cref="ShapesDetector"/> + <see cref="GenEvalScorer"/>. One call scores
/// an image for a metadata entry: strict correctness for evaluation, partial credit for the RL reward.
/// </summary>
public sealed class ShapesGenEval : IImageJudge
{
    private readonly IObjectDetector _detector;
    private readonly GenEvalScorer _scorer;

    /// <summary>Creates the judge.</summary>
    /// <param name="detector">The detector; a default <see cref="ShapesDetector"/> when null.</param>
    /// <param name="options">Scoring options; <see cref="DefaultScoringOptions"/> when null.</param>
    public ShapesGenEval(IObjectDetector? detector = null, GenEvalScoringOptions? options = null)
    {
        _detector = detector ?? new ShapesDetector();
        _scorer = new GenEvalScorer(options ?? DefaultScoringOptions);
    }

    /// <summary>
    /// Scoring options for the shapes detector: GenEval's structure with thresholds suited to its confidences
    /// (shape probability × colour coherence): 0.3 for every tag (GenEval's 0.9 for counting is tied to
    /// Mask2Former's scores; the shapes detector's clean-render confidences are ≈ 1 and degraded ones lower).
    /// </summary>
    public static GenEvalScoringOptions DefaultScoringOptions { get; } = new()
    {
        ConfidenceThreshold = 0.3,
        CountingConfidenceThreshold = 0.3,
    };

    /// <summary>The detector in use.</summary>
    public IObjectDetector Detector => _detector;

    /// <summary>Detects objects in <paramref name="image"/> and scores them for <paramref name="entry"/>.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entry">The metadata entry.</param>
    public GenEvalScore Score(RgbImage image, GenEvalEntry entry) => _scorer.Score(entry, _detector.Detect(image));
}
