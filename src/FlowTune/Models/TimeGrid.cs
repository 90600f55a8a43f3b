namespace FlowTune.Models;

/// <summary>Sampling time grids from t = 1 (noise) to t = 0 (data).</summary>
public static class TimeGrid
{
    /// <summary>
    /// SD3's shifted grid: <c>t = shift·s / (1 + (shift − 1)·s)</c> for s evenly spaced from 1 to 0
    /// (<paramref name="steps"/> + 1 points). shift = 1 is the linear grid; shift &gt; 1 spends more steps near noise.
    /// </summary>
    public static double[] Shifted(int steps, double shift = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (!(shift > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "shift must be positive");
        }
        var grid = new double[steps + 1];
        for (var k = 0; k <= steps; k++)
        {
            var s = 1.0 - (double)k / steps;
            grid[k] = shift * s / (1 + (shift - 1) * s);
        }
        grid[0] = 1.0;
        grid[steps] = 0.0;
        return grid;
    }
}
