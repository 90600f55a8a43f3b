using FlowTune.Evaluation;

namespace FlowTune.Rl.Config;

/// <summary>The evaluations of an RL run (<c>eval.*</c>): ODE sampling of the test prompts with the EMA (or policy) weights.</summary>
public sealed record RlEvalOptions
{
    /// <summary>ODE steps.</summary>
    public int NumSteps { get; init; } = 40;

    /// <summary>ODE integrator: euler (the reference's) or heun (second order, ~2× the network evaluations per step).</summary>
    public Sampling.OdeSolver Solver { get; init; } = Sampling.OdeSolver.Euler;

    /// <summary>CFG scale.</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Time shift of the grid (null = the rollouts' <c>sample.shift</c>).</summary>
    public double? Shift { get; init; }

    /// <summary>Images per test prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>At least this many images per tag (prompts of small tags are sampled more often).</summary>
    public int MinImagesPerTag { get; init; } = 40;

    /// <summary>
    /// Also evaluate whenever the training time passes a multiple of this many minutes (besides <c>eval_freq</c>'s
    /// epochs); null = by epochs only. The evaluation follows the epoch during which the multiple was passed.
    /// </summary>
    public double? EveryMinutes { get; init; }

    /// <summary>
    /// The evaluations at multiples of this many training minutes, and the last one, use the full protocol
    /// (<see cref="FullSamplesPerPrompt"/>, <see cref="FullMinImagesPerTag"/>: 562 images on the shapes test prompts)
    /// instead of <see cref="SamplesPerPrompt"/>/<see cref="MinImagesPerTag"/>; null = every evaluation uses the latter.
    /// </summary>
    public double? FullEveryMinutes { get; init; }

    /// <summary>Images per test prompt of a full evaluation.</summary>
    public int FullSamplesPerPrompt { get; init; } = 4;

    /// <summary>Images per tag (at least) of a full evaluation.</summary>
    public int FullMinImagesPerTag { get; init; } = 40;

    /// <summary>
    /// The evaluator's options; <paramref name="sampleShift"/> is used when <see cref="Shift"/> is null;
    /// <paramref name="full"/> selects the full protocol's image counts.
    /// </summary>
    public EvalOptions ToEvalOptions(double sampleShift, bool full = false) => new()
    {
        Steps = NumSteps,
        Solver = Solver,
        GuidanceScale = GuidanceScale,
        Shift = Shift ?? sampleShift,
        SamplesPerPrompt = full ? FullSamplesPerPrompt : SamplesPerPrompt,
        MinImagesPerTag = full ? FullMinImagesPerTag : MinImagesPerTag,
    };

    /// <summary>Every problem.</summary>
    public IEnumerable<string> Validate()
    {
        if (NumSteps < 1)
        {
            yield return $"eval.num_steps must be >= 1, got {NumSteps}";
        }
        if (SamplesPerPrompt < 1)
        {
            yield return $"eval.samples_per_prompt must be >= 1, got {SamplesPerPrompt}";
        }
        if (MinImagesPerTag < 0)
        {
            yield return $"eval.min_images_per_tag must be >= 0, got {MinImagesPerTag}";
        }
        if (EveryMinutes is not null and not > 0 || FullEveryMinutes is not null and not > 0)
        {
            yield return $"eval.every_minutes and eval.full_every_minutes must be positive (or omitted), got {EveryMinutes}, {FullEveryMinutes}";
        }
        if (FullSamplesPerPrompt < 1 || FullMinImagesPerTag < 0)
        {
            yield return $"eval.full_samples_per_prompt must be >= 1 and eval.full_min_images_per_tag >= 0, got {FullSamplesPerPrompt}, {FullMinImagesPerTag}";
        }
    }
}
