using FlowTune.IO;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// The per-prompt Beta trackers of SuperFlow as published (<c>trackers.*</c>; docs/ALGORITHMS.md §6.4). Every run
/// keeps them; they steer the <c>uncertainty</c> group planner and the <c>tracker</c> advantage baseline when a config
/// names those.
/// </summary>
public sealed record TrackerOptions
{
    /// <summary>
    /// Forgetting factor ρ of each update, α ← ρ·α + Σr, β ← ρ·β + Σ(1 − r): old evidence fades as the policy moves
    /// (the paper ties ρ to the policy's drift; here it is a constant). 1 = never forget.
    /// </summary>
    public double Forgetting { get; init; } = 0.9;

    /// <summary>Prior pseudo-counts α₀ = β₀ of a prompt never seen (success rate ½, the most uncertain).</summary>
    public double Prior { get; init; } = 1.0;

    /// <summary>Every problem.</summary>
    public IEnumerable<string> Validate()
    {
        if (!(Forgetting is > 0 and <= 1))
        {
            yield return $"trackers.forgetting must be in (0, 1], got {Forgetting}";
        }
        if (!(Prior > 0))
        {
            yield return $"trackers.prior must be positive, got {Prior}";
        }
    }
}

/// <summary>
/// A Beta(α, β) tracker per prompt of its success rate v̂ = α / (α + β), updated once per epoch with the prompt's
/// rewards (clamped to [0, 1]) after the advantages are computed, so an epoch's baseline never sees its own rewards.
/// Saved in checkpoints (<see cref="FileName"/>).
/// </summary>
public sealed class PromptSuccessTrackers(TrackerOptions options)
{
    /// <summary>File of the trackers in a checkpoint folder.</summary>
    public const string FileName = "success_trackers.json";

    private readonly Dictionary<string, Beta> _prompts = new(StringComparer.Ordinal);

    /// <summary>The pseudo-counts of one prompt.</summary>
    public sealed record Beta(double Alpha, double BetaCount);

    /// <summary>The tracker of a prompt (the prior when never seen).</summary>
    public Beta Of(string prompt) => _prompts.TryGetValue(prompt, out var b) ? b : new Beta(options.Prior, options.Prior);

    /// <summary>Running success rate v̂ = α / (α + β).</summary>
    public double SuccessRate(string prompt)
    {
        var b = Of(prompt);
        return b.Alpha / (b.Alpha + b.BetaCount);
    }

    /// <summary>Uncertainty w = sqrt(v̂·(1 − v̂) + ε).</summary>
    public double Uncertainty(string prompt, double epsilon)
    {
        var v = SuccessRate(prompt);
        return Math.Sqrt(v * (1 - v) + epsilon);
    }

    /// <summary>One epoch's update of a prompt: α ← ρ·α + Σr, β ← ρ·β + Σ(1 − r).</summary>
    public void Update(string prompt, IEnumerable<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        var clamped = rewards.Select(r => Math.Clamp(r, 0, 1)).ToList();
        var b = Of(prompt);
        _prompts[prompt] = new Beta(options.Forgetting * b.Alpha + clamped.Sum(), options.Forgetting * b.BetaCount + clamped.Sum(r => 1 - r));
    }

    /// <summary>Writes the trackers into a checkpoint folder.</summary>
    public void Save(string directory) => Json.Write(Path.Combine(directory, FileName), _prompts);

    /// <summary>Restores what <see cref="Save"/> wrote (a checkpoint without the file leaves every prompt at the prior).</summary>
    public void Restore(string directory)
    {
        _prompts.Clear();
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            foreach (var (prompt, beta) in Json.Read<Dictionary<string, Beta>>(path))
            {
                _prompts[prompt] = beta;
            }
        }
    }
}
