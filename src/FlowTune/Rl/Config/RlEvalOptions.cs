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

    /// <summary>The evaluator's options; <paramref name="sampleShift"/> is used when <see cref="Shift"/> is null.</summary>
    public EvalOptions ToEvalOptions(double sampleShift) => new()
    {
        Steps = NumSteps,
        Solver = Solver,
        GuidanceScale = GuidanceScale,
        Shift = Shift ?? sampleShift,
        SamplesPerPrompt = SamplesPerPrompt,
        MinImagesPerTag = MinImagesPerTag,
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
    }
}
