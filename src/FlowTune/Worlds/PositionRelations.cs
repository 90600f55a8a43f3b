namespace FlowTune.Worlds;

/// <summary>
/// Names of <see cref="PositionRelation"/> and GenEval's test of which relations hold between two boxes
/// (<c>relative_position</c> in GenEval's <c>evaluate_images.py</c>).
/// </summary>
public static class PositionRelations
{
    private static readonly string[] _names = ["left of", "right of", "above", "below"];

    /// <summary>All four relations.</summary>
    public static IReadOnlyList<PositionRelation> All { get; } = Enum.GetValues<PositionRelation>();

    /// <summary>The metadata/prompt text, e.g. "left of".</summary>
    /// <param name="relation">The relation.</param>
    public static string Name(PositionRelation relation) => _names[(int)relation];

    /// <summary>Parses the metadata text ("left of", "right of", "above", "below").</summary>
    /// <param name="name">The text.</param>
    /// <param name="relation">The relation when found.</param>
    public static bool TryParse(string? name, out PositionRelation relation)
    {
        int index = name is null ? -1 : Array.IndexOf(_names, name);
        relation = index >= 0 ? (PositionRelation)index : default;
        return index >= 0;
    }

    /// <summary>The relation that holds in the other direction ("A left of B" ⇔ "B right of A").</summary>
    /// <param name="relation">The relation.</param>
    public static PositionRelation Inverse(PositionRelation relation) => relation switch
    {
        PositionRelation.LeftOf => PositionRelation.RightOf,
        PositionRelation.RightOf => PositionRelation.LeftOf,
        PositionRelation.Above => PositionRelation.Below,
        _ => PositionRelation.Above,
    };

    /// <summary>
    /// True when <paramref name="relation"/> holds for A relative to B, by GenEval's rule: the centre offset
    /// A − B is shrunk towards 0 on each axis by <paramref name="threshold"/> × (dimA + dimB) (a dead zone that
    /// grows with the objects), divided by the length of the unshrunk offset, and a relation holds when its axis
    /// component exceeds <paramref name="cutoff"/> (GenEval: threshold 0.1, cutoff 0.5). Several relations can
    /// hold at once (diagonal), none when the boxes are nearly concentric.
    /// </summary>
    /// <param name="a">Box of object A.</param>
    /// <param name="b">Box of object B.</param>
    /// <param name="relation">The relation to test.</param>
    /// <param name="threshold">Dead-zone factor (GenEval's POSITION_THRESHOLD).</param>
    /// <param name="cutoff">Minimum normalised component (0.5 in GenEval).</param>
    public static bool Holds(BoundingBox a, BoundingBox b, PositionRelation relation, double threshold = 0.1, double cutoff = 0.5)
    {
        double offsetX = a.CenterX - b.CenterX;
        double offsetY = a.CenterY - b.CenterY;
        double revisedX = Math.Max(Math.Abs(offsetX) - (threshold * (a.Width + b.Width)), 0) * Math.Sign(offsetX);
        double revisedY = Math.Max(Math.Abs(offsetY) - (threshold * (a.Height + b.Height)), 0) * Math.Sign(offsetY);
        if (Math.Abs(revisedX) < 1e-3 && Math.Abs(revisedY) < 1e-3)
        {
            return false;
        }

        double norm = Math.Sqrt((offsetX * offsetX) + (offsetY * offsetY));
        double dx = revisedX / norm;
        double dy = revisedY / norm;
        return relation switch
        {
            PositionRelation.LeftOf => dx < -cutoff,
            PositionRelation.RightOf => dx > cutoff,
            PositionRelation.Above => dy < -cutoff,
            _ => dy > cutoff,
        };
    }
}
