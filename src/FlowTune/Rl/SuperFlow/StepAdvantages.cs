namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// Step-level advantages (FlowTune's design for SuperFlow's second idea, docs/ALGORITHMS.md §6.3). A value V_k is
/// measured at every state: the reward of the one-step prediction x0̂(x_k) for k &lt; T, and the final reward for
/// k = T. The gain of step k is g_k = V_{k+1} − V_k, so Σ_k g_k = r − V_0 (the gains telescope to the reward).
/// Gains are centred within the prompt's group and turned into a rate per unit of flow time:
/// <c>A_k = (g_k − mean_group g_k) / (σ · w_k)</c> with w_k = |t_{k+1} − t_k| (Σ w_k = 1) and σ the std of the
/// epoch's rewards. Hence Σ_k w_k·A_k is the trajectory advantage of the centred r − V_0, and for a value that
/// grows at a constant rate along the flow every A_k is the same whatever T is: the scale does not depend on the
/// number of steps. The loss weights step k by T·w_k (1 on a uniform grid) so its average over steps telescopes.
/// The advantage used is <c>(1 − λ)·A_traj + λ·A_k</c>; λ = 0 is plain Flow-GRPO.
/// </summary>
public static class StepAdvantages
{
    /// <summary>Step weights w_k = |t_{k+1} − t_k| of a time grid (T + 1 points from 1 to 0).</summary>
    public static double[] Widths(IReadOnlyList<double> grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return Enumerable.Range(0, grid.Count - 1).Select(k => Math.Abs(grid[k + 1] - grid[k])).ToArray();
    }

    /// <summary>
    /// Per-step advantages [N][T] from values [N][T + 1]; <paramref name="groups"/> gives each sample's group,
    /// <paramref name="sigma"/> the reward scale (plus eps), <paramref name="trajectory"/> the trajectory advantages [N].
    /// </summary>
    public static double[][] Compute(IReadOnlyList<double[]> values, IReadOnlyList<int> groups, IReadOnlyList<double> grid,
        double sigma, IReadOnlyList<double> trajectory, double lambda, double clip = 5.0)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(trajectory);
        var widths = Widths(grid);
        var steps = widths.Length;
        var n = values.Count;
        var gains = new double[n][];
        for (var i = 0; i < n; i++)
        {
            if (values[i].Length != steps + 1)
            {
                throw new ArgumentException($"sample {i} has {values[i].Length} values, expected T + 1 = {steps + 1}");
            }
            gains[i] = Enumerable.Range(0, steps).Select(k => values[i][k + 1] - values[i][k]).ToArray();
        }
        var result = new double[n][];
        foreach (var group in Enumerable.Range(0, n).GroupBy(i => groups[i]))
        {
            var members = group.ToList();
            for (var k = 0; k < steps; k++)
            {
                var mean = members.Average(i => gains[i][k]);
                foreach (var i in members)
                {
                    result[i] ??= new double[steps];
                    var step = (gains[i][k] - mean) / (sigma * widths[k]);
                    result[i][k] = Math.Clamp((1 - lambda) * trajectory[i] + lambda * step, -clip, clip);
                }
            }
        }
        return result;
    }

    /// <summary>Loss weight of each step: T·w_k (all 1 on a uniform grid).</summary>
    public static double[] LossWeights(IReadOnlyList<double> grid)
    {
        var widths = Widths(grid);
        return widths.Select(w => w * widths.Length).ToArray();
    }
}
