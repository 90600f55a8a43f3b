namespace FlowTune.Worlds;

/// <summary>
/// Knobs of GenEval scoring. GenEval's own values (for Mask2Former scores) are threshold 0.3, counting threshold
/// 0.9, 16 objects per class, position threshold 0.1; the shapes detector's confidences are calibrated
/// differently, so its defaults are set in <c>ShapesGenEval.DefaultScoringOptions</c>.
/// </summary>
public sealed record GenEvalScoringOptions
{
    /// <summary>Detections with confidence at or below this are ignored (GenEval THRESHOLD).</summary>
    public double ConfidenceThreshold { get; init; } = 0.3;

    /// <summary>The threshold used instead for "counting" entries (GenEval COUNTING_THRESHOLD).</summary>
    public double CountingConfidenceThreshold { get; init; } = 0.9;

    /// <summary>At most this many detections per class are kept, most confident first (GenEval MAX_OBJECTS).</summary>
    public int MaxObjectsPerClass { get; init; } = 16;

    /// <summary>Dead-zone factor of the position test (GenEval POSITION_THRESHOLD).</summary>
    public double PositionThreshold { get; init; } = 0.1;
}
