namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Splits the <see cref="ShapesPromptCatalog"/> into disjoint train and test prompt sets, per tag: the
/// equivalence groups are shuffled with the seed and whole groups go to the test set until it holds
/// <c>min(TestPerTag, pool / 2)</c> prompts (so small tags are split about evenly and no paraphrase crosses the
/// split); the rest is the train set, optionally capped at <see cref="TrainPerTag"/>. Deterministic by seed.
/// </summary>
public sealed record ShapesPromptSplit
{
    /// <summary>Seed of the shuffle.</summary>
    public int Seed { get; init; } = 2025;

    /// <summary>Largest number of test prompts per tag.</summary>
    public int TestPerTag { get; init; } = 50;

    /// <summary>Largest number of train prompts per tag, or null for all that remain.</summary>
    public int? TrainPerTag { get; init; }

    /// <summary>Computes the split.</summary>
    public (IReadOnlyList<GenEvalEntry> Train, IReadOnlyList<GenEvalEntry> Test) Generate()
    {
        var train = new List<GenEvalEntry>();
        var test = new List<GenEvalEntry>();
        foreach (GenEvalTag tag in GenEvalTags.All)
        {
            IReadOnlyList<(GenEvalEntry Entry, string Key)> pool = ShapesPromptCatalog.Enumerate(tag);
            var groups = pool.GroupBy(p => p.Key, StringComparer.Ordinal).Select(g => g.Select(p => p.Entry).ToList()).ToList();
            var random = new Random(RandomExtensions.DeriveSeed(Seed, (int)tag));
            random.ShuffleInPlace(groups);
            int testTarget = Math.Min(TestPerTag, pool.Count / 2);
            var tagTest = new List<GenEvalEntry>();
            var tagTrain = new List<GenEvalEntry>();
            foreach (List<GenEvalEntry> group in groups)
            {
                (tagTest.Count + group.Count <= testTarget ? tagTest : tagTrain).AddRange(group);
            }

            test.AddRange(tagTest);
            train.AddRange(TrainPerTag is int cap ? tagTrain.Take(cap) : tagTrain);
        }

        return (train, test);
    }
}
