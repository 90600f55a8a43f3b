using FlowTune.Sampling;

namespace FlowTune.Rl.Rollouts;

/// <summary>How rollouts are sampled (<c>sample.*</c>): SDE, CPS, ODE (noise 0) or an SDE window.</summary>
public sealed record RolloutOptions
{
    /// <summary>Steps of a training rollout (denoising reduction: fewer than evaluation's).</summary>
    public int NumSteps { get; init; } = 10;

    /// <summary>Noise level a of the SDE steps (0: deterministic ODE rollouts, for likelihood-free objectives only).</summary>
    public double NoiseLevel { get; init; } = 0.7;

    /// <summary>
    /// Integrator of the deterministic steps (all of them at <c>noise_level: 0</c>, else those outside the SDE window):
    /// euler, or heun (second order, two network evaluations per step; DiffusionNFT's rollouts use a 2nd-order solver).
    /// </summary>
    public OdeSolver Solver { get; init; } = OdeSolver.Euler;

    /// <summary>"sde" (Flow-GRPO's) or "cps" (coefficients-preserving).</summary>
    public SdeKind Kind { get; init; } = SdeKind.Sde;

    /// <summary>CFG scale of rollouts and training (reference SD3: 4.5; 1 here: the base is evaluated without CFG, and CFG doubles the cost).</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Time shift of the grid.</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>Flow-GRPO-Fast window: this many consecutive stochastic steps per batch (null = every step stochastic).</summary>
    public int? SdeWindowSize { get; init; }

    /// <summary>Steps [start, end) the window lies in, e.g. [0, 5] for the layout-forming first half (null = anywhere).</summary>
    public List<int>? SdeWindowRange { get; init; }

    /// <summary>Rollouts per sampling batch; training recomputes likelihoods on exactly these batches.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Start every member of a group from the same initial noise x_1 (DanceGRPO's <c>init_same_noise</c>), so that
    /// members differ only by the SDE noise the policy's likelihood accounts for; false (the reference): each
    /// rollout draws its own x_1.
    /// </summary>
    public bool SameInitialNoise { get; init; }

    /// <summary>The sampler options these fields describe.</summary>
    public SdeSamplerOptions ToSamplerOptions() => new()
    {
        Steps = NumSteps,
        NoiseLevel = NoiseLevel,
        Kind = Kind,
        Solver = Solver,
        GuidanceScale = GuidanceScale,
        Shift = Shift,
        WindowSize = SdeWindowSize,
        WindowRange = SdeWindowRange is [var start, var end] ? (start, end) : null,
    };

    /// <summary>Every problem.</summary>
    public IEnumerable<string> Validate()
    {
        if (SdeWindowRange is { Count: not 2 } range)
        {
            yield return $"sample.sde_window_range must be two step indices [start, end], got [{string.Join(", ", range)}]";
        }
        foreach (var problem in ToSamplerOptions().Validate())
        {
            yield return problem;
        }
        if (BatchSize < 1)
        {
            yield return $"sample.batch_size must be >= 1, got {BatchSize}";
        }
    }
}
