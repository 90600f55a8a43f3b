namespace FlowTune.Evaluation;

/// <summary>Options of a GenEval-style evaluation (ODE sampling, then the world's judge).</summary>
public sealed record EvalOptions
{
    /// <summary>ODE steps (Flow-GRPO evaluates with the full count, 40, of Euler).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>The ODE integrator (Heun evaluates the network twice per step but the last).</summary>
    public Sampling.OdeSolver Solver { get; init; } = Sampling.OdeSolver.Euler;

    /// <summary>Classifier-free guidance scale (1 = none).</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Time shift of the sampling grid.</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>Images per prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>
    /// At least this many images per tag: tags with few prompts get more samples per prompt, so that every
    /// per-tag accuracy rests on enough images (0 = exactly <see cref="SamplesPerPrompt"/>).
    /// </summary>
    public int MinImagesPerTag { get; init; } = 40;

    /// <summary>Images per sampling batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the initial noise.</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Every problem with these values.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (Steps < 1)
        {
            p.Add($"steps must be >= 1, got {Steps}");
        }
        if (SamplesPerPrompt < 1)
        {
            p.Add($"samples_per_prompt must be >= 1, got {SamplesPerPrompt}");
        }
        if (MinImagesPerTag < 0)
        {
            p.Add($"min_images_per_tag must be >= 0, got {MinImagesPerTag}");
        }
        if (BatchSize < 1)
        {
            p.Add($"batch_size must be >= 1, got {BatchSize}");
        }
        if (!(Shift > 0))
        {
            p.Add($"shift must be positive, got {Shift}");
        }
        return p;
    }
}
