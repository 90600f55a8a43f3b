namespace FlowTune.Worlds;

/// <summary>
/// GenEval's per-class view of detections: those above the confidence threshold, most confident first (ties keep
/// detector order), at most <c>MaxObjectsPerClass</c> per class.
/// </summary>
internal sealed class DetectionGroups
{
    private static readonly IReadOnlyList<DetectedObject> _none = [];
    private readonly Dictionary<string, List<DetectedObject>> _byClass = new(StringComparer.Ordinal);

    public DetectionGroups(IReadOnlyList<DetectedObject> detections, double threshold, int maxPerClass)
    {
        foreach (DetectedObject detection in detections.Where(d => d.Confidence > threshold).OrderByDescending(d => d.Confidence))
        {
            if (!_byClass.TryGetValue(detection.ClassName, out List<DetectedObject>? list))
            {
                list = [];
                _byClass[detection.ClassName] = list;
            }

            if (list.Count < maxPerClass)
            {
                list.Add(detection);
            }
        }
    }

    /// <summary>All kept detections of a class, most confident first.</summary>
    public IReadOnlyList<DetectedObject> Of(string className) =>
        _byClass.TryGetValue(className, out List<DetectedObject>? list) ? list : _none;
}
