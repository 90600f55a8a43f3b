namespace FlowTune.Rl.Update;

/// <summary>
/// How fast a separate sampling policy θ_old follows the trained one (DiffusionNFT's soft update; docs/ALGORITHMS.md
/// §7b): after each epoch's updates θ_old ← d·θ_old + (1 − d)·θ with d = 0 for the first <paramref name="Flat"/>
/// optimizer steps, then d = min(<paramref name="Rate"/>·(step − Flat), <paramref name="Max"/>). d = 0 copies θ (the next
/// rollouts are on-policy); d near 1 keeps θ_old far behind, a slow-moving target that steadies training.
/// </summary>
/// <param name="Flat">Optimizer steps with d = 0 (the reference's second schedule: 75).</param>
/// <param name="Rate">Growth of d per optimizer step after <paramref name="Flat"/> (reference: 0.001, or 0.0075).</param>
/// <param name="Max">Cap of d, below 1 (reference: 0.5, or 0.999).</param>
public sealed record SamplingPolicySchedule(long Flat, double Rate, double Max)
{
    /// <summary>The decay after <paramref name="step"/> optimizer steps.</summary>
    public double Decay(long step) => step < Flat ? 0.0 : Math.Min((step - Flat) * Rate, Max);

    /// <summary>True when the sampling policy is always a copy of the trained one (d = 0 at every step).</summary>
    public bool AlwaysOnPolicy => Max == 0 || Rate == 0;

    /// <summary>Every problem, naming the options as <paramref name="prefix"/>_flat, _rate and _max.</summary>
    public IEnumerable<string> Validate(string prefix)
    {
        if (Flat < 0)
        {
            yield return $"{prefix}_flat must be >= 0, got {Flat}";
        }
        if (!(Rate >= 0))
        {
            yield return $"{prefix}_rate must be >= 0, got {Rate}";
        }
        if (!(Max is >= 0 and < 1))
        {
            yield return $"{prefix}_max must be in [0, 1), got {Max}";
        }
    }
}
