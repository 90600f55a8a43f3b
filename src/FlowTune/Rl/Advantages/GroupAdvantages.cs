namespace FlowTune.Rl.Advantages;

/// <summary>Advantages of one epoch, with the groups whose rewards were all equal.</summary>
/// <param name="Values">One advantage per sample (0 for samples of zero-variance groups).</param>
/// <param name="ZeroVarianceGroup">Per sample: true when its group's rewards were all equal (nothing to learn).</param>
/// <param name="ZeroStdRatio">Fraction of groups whose rewards were all equal.</param>
public sealed record GroupAdvantageValues(double[] Values, bool[] ZeroVarianceGroup, double ZeroStdRatio);

/// <summary>
/// Group-relative advantages (Flow-GRPO's per-prompt stat tracker, docs/ALGORITHMS.md §5.3):
/// A = (r − mean_group(r)) / (std + eps), std over all rewards of the epoch ("global std", default) or of the group,
/// clipped to ±clip. Groups may have different sizes: each group is centred on its own mean; the global std is
/// the population std of all rewards of the epoch, as in the reference code.
/// </summary>
public static class GroupAdvantages
{
    /// <summary>Computes advantages for <paramref name="rewards"/>; <paramref name="groups"/> gives each sample's group key.</summary>
    /// <remarks>
    /// With <paramref name="smallGroupCorrection"/>, a group of n is scaled by n/(n − 1): the group mean then acts as
    /// a leave-one-out baseline (r_i minus the mean of the others), which keeps advantages comparable when group
    /// sizes differ (variance-aware sizing).
    /// </remarks>
    public static GroupAdvantageValues Compute(IReadOnlyList<double> rewards, IReadOnlyList<int> groups, bool globalStd, double eps = 1e-4, double clip = 5.0,
        bool smallGroupCorrection = false)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(groups);
        if (rewards.Count != groups.Count)
        {
            throw new ArgumentException($"{rewards.Count} rewards but {groups.Count} group keys");
        }
        var n = rewards.Count;
        var values = new double[n];
        var zero = new bool[n];
        if (n == 0)
        {
            return new GroupAdvantageValues(values, zero, 0);
        }
        var epochStd = Std(rewards);
        var byGroup = Enumerable.Range(0, n).GroupBy(i => groups[i]).ToList();
        var zeroGroups = 0;
        foreach (var g in byGroup)
        {
            var members = g.ToList();
            var r = members.Select(i => rewards[i]).ToList();
            var mean = r.Average();
            var allEqual = r.All(x => x == r[0]);
            if (allEqual)
            {
                zeroGroups++;
            }
            var std = globalStd ? epochStd : Std(r);
            var scale = smallGroupCorrection && members.Count > 1 ? members.Count / (members.Count - 1.0) : 1.0;
            foreach (var i in members)
            {
                zero[i] = allEqual;
                values[i] = allEqual ? 0 : Math.Clamp(scale * (rewards[i] - mean) / (std + eps), -clip, clip);
            }
        }
        return new GroupAdvantageValues(values, zero, zeroGroups / (double)byGroup.Count);
    }

    /// <summary>Population standard deviation (numpy's default, as in the reference tracker).</summary>
    public static double Std(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0;
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
