namespace FlowTune.Training;

/// <summary>
/// The label space of a caption-structure objective: named classification heads, each with a class count. Class 0
/// of every head means "not stated" (e.g. no colour given), so a word can carry labels in some heads only.
/// </summary>
/// <param name="Heads">(name, number of classes) per head, e.g. ("colour", 9), ("count", 5), ("role", 5).</param>
public sealed record CaptionLabelSpace(IReadOnlyList<(string Name, int Classes)> Heads)
{
    /// <summary>Sum of the heads' class counts (the width of a head layer that predicts all of them).</summary>
    public int TotalClasses => Heads.Sum(h => h.Classes);
}

/// <summary>
/// Labels of one word of a caption: what the caption says about the thing this word names (its colour, count and
/// spatial role), one class per head of the <see cref="CaptionLabelSpace"/>.
/// </summary>
/// <param name="WordIndex">Index of the word in <c>Tokenizer.Words(caption)</c> (0 = the first word).</param>
/// <param name="Classes">One class index per head.</param>
public sealed record WordLabels(int WordIndex, IReadOnlyList<int> Classes);
