namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Decides whether detections recover a ground-truth scene exactly: the same number of objects, a one-to-one
/// matching (by centroid, within 35% of the object size) in which every pair agrees in shape and colour, and
/// for every pair of objects whose true area centroids differ by more than 1 px on an axis, the detected
/// centroids are ordered the same way on that axis.
/// </summary>
public static class SceneRecovery
{
    /// <summary>True when <paramref name="detections"/> recover <paramref name="scene"/> exactly.</summary>
    /// <param name="scene">The ground truth.</param>
    /// <param name="detections">The detector's output (already thresholded by the caller if desired).</param>
    public static bool Matches(Scene scene, IReadOnlyList<DetectedObject> detections)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(detections);
        if (detections.Count != scene.Objects.Count)
        {
            return false;
        }

        var matched = new DetectedObject[scene.Objects.Count];
        var used = new bool[detections.Count];
        for (int i = 0; i < scene.Objects.Count; i++)
        {
            SceneObject obj = scene.Objects[i];
            int best = -1;
            double bestDistance = 0.35 * obj.Size;
            for (int j = 0; j < detections.Count; j++)
            {
                double distance = Math.Sqrt(Square(detections[j].CentroidX - obj.CenterX) + Square(detections[j].CentroidY - TrueCentroidY(obj)));
                if (!used[j] && distance <= bestDistance)
                {
                    best = j;
                    bestDistance = distance;
                }
            }

            if (best < 0
                || detections[best].ClassName != ShapeVocabulary.Name(obj.Shape)
                || detections[best].Color != ShapeVocabulary.Name(obj.Color))
            {
                return false;
            }

            used[best] = true;
            matched[i] = detections[best];
        }

        for (int i = 0; i < matched.Length; i++)
        {
            for (int j = i + 1; j < matched.Length; j++)
            {
                if (!SameOrder(scene.Objects[i].CenterX - scene.Objects[j].CenterX, matched[i].CentroidX - matched[j].CentroidX)
                    || !SameOrder(TrueCentroidY(scene.Objects[i]) - TrueCentroidY(scene.Objects[j]), matched[i].CentroidY - matched[j].CentroidY))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool SameOrder(double truth, double detected) => Math.Abs(truth) <= 1 || Math.Sign(truth) == Math.Sign(detected);

    private static double TrueCentroidY(SceneObject obj) => obj.CenterY + ShapeGeometry.CentroidOffsetY(obj.Shape, obj.Size);

    private static double Square(double v) => v * v;
}
