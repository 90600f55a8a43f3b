using FlowTune.Torch;

namespace FlowTune.Sampling;

/// <summary>
/// A batch of stochastic rollouts: every state x_0 (noise) … x_T (image), the time grid, which steps were
/// stochastic, and the log-likelihood of every stochastic transition under the sampling policy.
/// </summary>
/// <param name="States">[B, T+1, C, H, W] float32.</param>
/// <param name="LogProbs">[B, T] float32 (0 where a step was deterministic).</param>
/// <param name="Times">t_0 = 1 … t_T = 0.</param>
/// <param name="Stochastic">[T] whether step k was an SDE step (the trainable ones).</param>
public sealed record Trajectory(Tensor States, Tensor LogProbs, double[] Times, bool[] Stochastic) : IDisposable
{
    /// <summary>[B, T, C, H, W] one-step predictions x0̂ at every step (when recorded), else null.</summary>
    public Tensor? Predictions { get; init; }

    /// <summary>Number of rollouts.</summary>
    public long Count => States.Size(0);

    /// <summary>Final states x_T [B, C, H, W] (model space).</summary>
    public Tensor Final() => States.Select(1, Times.Length - 1);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        States.Dispose();
        LogProbs.Dispose();
        Predictions?.Dispose();
    }
}
