using FlowTune.Rl.Advantages;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// SuperFlow's σ_t-scaled step advantages as published (docs/ALGORITHMS.md §6.4): Â_{i,k} = η·σ_k·A_i, with
/// σ_k = a·sqrt(t_k / (1 − t_k)) the SDE noise std of step k (at t_0 = 1 the reference's σ_max, the value at t_1) and
/// η = 1 / mean_k σ_k unless set, so that the steps' mean weight is 1: high-noise steps get more of the credit.
/// </summary>
public static class SigmaSteps
{
    /// <summary>The step advantages [N][T] when <see cref="GroupAdvantageOptions.SigmaSteps"/> is on, else null.</summary>
    public static double[][]? For(GroupAdvantageOptions options, AdvantageInput input, IReadOnlyList<double> advantages)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(advantages);
        if (!options.SigmaSteps)
        {
            return null;
        }
        var sigma = Sigmas(input.Grid, input.NoiseLevel);
        var eta = options.SigmaEta ?? 1.0 / sigma.Average();
        return [.. advantages.Select(a => sigma.Select(s => Math.Clamp(eta * s * a, -options.ClipMax, options.ClipMax)).ToArray())];
    }

    /// <summary>σ_k = a·sqrt(t_k / (1 − t_k)) for the steps k = 0 … T − 1 of <paramref name="grid"/> (t_0 = 1 takes t_1's value).</summary>
    public static double[] Sigmas(IReadOnlyList<double> grid, double noiseLevel)
    {
        ArgumentNullException.ThrowIfNull(grid);
        double Sigma(double t) => noiseLevel * Math.Sqrt(t / (1 - t));
        return [.. Enumerable.Range(0, grid.Count - 1).Select(k => Sigma(grid[k] >= 1 ? grid[Math.Min(1, grid.Count - 1)] : grid[k]))];
    }
}
