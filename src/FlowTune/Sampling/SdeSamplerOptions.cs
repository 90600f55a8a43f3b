namespace FlowTune.Sampling;

/// <summary>Options of the stochastic rollout sampler (Flow-GRPO's <c>sample.*</c>).</summary>
public sealed record SdeSamplerOptions
{
    /// <summary>Denoising steps of a training rollout (denoising reduction: 10, while evaluation uses 40).</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Noise level a of σ_t = a·sqrt(t / (1 − t)) (0 = the ODE).</summary>
    public double NoiseLevel { get; init; } = 0.7;

    /// <summary>
    /// Integrator of the deterministic (ODE) steps: every step at noise level 0, the steps outside an SDE window
    /// otherwise. Heun costs a second network evaluation per step (none on the last step into t = 0).
    /// </summary>
    public OdeSolver Solver { get; init; } = OdeSolver.Euler;

    /// <summary>Step kind.</summary>
    public SdeKind Kind { get; init; } = SdeKind.Sde;

    /// <summary>Classifier-free guidance scale used for rollouts and for recomputing likelihoods.</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Time shift of the grid; a model with its own scheduler (SD3 pipelines) uses its scheduler's shift instead.</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>
    /// Flow-GRPO-Fast: when set, only this many consecutive steps, starting at a random step, are stochastic
    /// (and trained); the others are ODE steps. Null: every step is stochastic.
    /// </summary>
    public int? WindowSize { get; init; }

    /// <summary>
    /// Steps [start, end) that the window must lie in (Flow-GRPO-Fast's <c>sde_window_range</c>); null = all steps.
    /// Early windows explore layout (positions, counts), late ones texture.
    /// </summary>
    public (int Start, int End)? WindowRange { get; init; }

    /// <summary>Every problem with these values.</summary>
    public IEnumerable<string> Validate()
    {
        if (Steps < 1)
        {
            yield return $"sample.num_steps must be >= 1, got {Steps}";
        }
        if (NoiseLevel < 0)
        {
            yield return $"sample.noise_level must be >= 0, got {NoiseLevel}";
        }
        if (!(Shift > 0))
        {
            yield return $"sample.shift must be positive, got {Shift}";
        }
        if (WindowSize is { } w && (w < 1 || w > Steps))
        {
            yield return $"sample.sde_window_size must be in [1, num_steps={Steps}], got {w}";
        }
        if (WindowRange is { } r)
        {
            if (WindowSize is null)
            {
                yield return $"sample.sde_window_range [{r.Start}, {r.End}] needs sample.sde_window_size";
            }
            else if (r.Start < 0 || r.End > Steps || r.End - r.Start < WindowSize)
            {
                yield return $"sample.sde_window_range must satisfy 0 <= start, end <= num_steps={Steps} and hold the window of {WindowSize} steps, got [{r.Start}, {r.End}]";
            }
        }
    }
}
