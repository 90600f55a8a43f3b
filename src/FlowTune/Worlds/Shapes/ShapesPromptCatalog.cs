namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Every GenEval-style prompt the shapes world supports, per tag, each with an equivalence key: prompts with the
/// same key say the same thing ("a circle and a square" / "a square and a circle"; "A left of B" / "B right of A";
/// the two orders of a colour-attribution pair), so a train/test split by key leaks no prompt in paraphrase.
/// Pool sizes: single_object 5, two_object 20, counting 15 (2–4), colors 40, position 80, color_attr 1,120.
/// </summary>
public static class ShapesPromptCatalog
{
    /// <summary>Counts used by counting prompts (GenEval: 2 to 4).</summary>
    public static IReadOnlyList<int> CountingNumbers { get; } = [2, 3, 4];

    /// <summary>All prompts of one tag, in a fixed order, with their equivalence keys.</summary>
    /// <param name="tag">The tag.</param>
    public static IReadOnlyList<(GenEvalEntry Entry, string Key)> Enumerate(GenEvalTag tag)
    {
        var result = new List<(GenEvalEntry, string)>();
        IReadOnlyList<string> shapes = ShapeVocabulary.Shapes.Select(ShapeVocabulary.Name).ToList();
        IReadOnlyList<string> colors = ShapeVocabulary.Colors.Select(ShapeVocabulary.Name).ToList();
        switch (tag)
        {
            case GenEvalTag.SingleObject:
                result.AddRange(shapes.Select(s => (GenEvalPrompts.SingleObject(s), s)));
                break;
            case GenEvalTag.TwoObject:
                foreach (string a in shapes)
                {
                    result.AddRange(shapes.Where(b => b != a).Select(b => (GenEvalPrompts.TwoObject(a, b), Unordered(a, b))));
                }

                break;
            case GenEvalTag.Counting:
                foreach (string s in shapes)
                {
                    result.AddRange(CountingNumbers.Select(n => (GenEvalPrompts.Counting(s, n), $"{s}x{n}")));
                }

                break;
            case GenEvalTag.Colors:
                foreach (string s in shapes)
                {
                    result.AddRange(colors.Select(c => (GenEvalPrompts.Colors(s, c), $"{c} {s}")));
                }

                break;
            case GenEvalTag.Position:
                foreach (string a in shapes)
                {
                    foreach (string b in shapes.Where(b => b != a))
                    {
                        result.AddRange(PositionRelations.All.Select(r => GenEvalPrompts.Position(a, r, b)).Select(e => (e, GenEvalMeaning.Key(e)!)));
                    }
                }

                break;
            default:
                foreach (string a in shapes)
                {
                    foreach (string b in shapes.Where(b => b != a))
                    {
                        foreach (string ca in colors)
                        {
                            result.AddRange(colors.Where(cb => cb != ca)
                                .Select(cb => GenEvalPrompts.ColorAttr(a, ca, b, cb)).Select(e => (e, GenEvalMeaning.Key(e)!)));
                        }
                    }
                }

                break;
        }

        return result;
    }

    private static string Unordered(string a, string b) => string.CompareOrdinal(a, b) < 0 ? $"{a}+{b}" : $"{b}+{a}";

}
