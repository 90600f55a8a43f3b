using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>
/// Exponential moving average of one module's parameters kept in another module of the same shape
/// (shadow ← decay·shadow + (1 − decay)·param), e.g. for evaluation and checkpoints.
/// </summary>
public sealed class EmaWeights
{
    private readonly List<(Tensor Source, Tensor Shadow)> _pairs = [];

    /// <summary>
    /// Pairs the parameters by name and copies the current values into <paramref name="shadow"/>; with
    /// <paramref name="include"/>, only the named ones (e.g. the trained adapters: the frozen rest is equal in both).
    /// </summary>
    public EmaWeights(Module source, Module shadow, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shadow);
        var shadowByName = shadow.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (name, p) in source.NamedParameters().Where(p => include?.Invoke(p.Key) != false))
        {
            if (!shadowByName.TryGetValue(name, out var s))
            {
                throw new ArgumentException($"EMA module has no parameter '{name}'", nameof(shadow));
            }
            _pairs.Add((p, s));
        }
        shadow.SetRequiresGrad(false);
        CopyFromSource();
    }

    /// <summary>Sets every shadow parameter to its source's current value.</summary>
    public void CopyFromSource()
    {
        using var noGrad = Autograd.NoGrad();
        foreach (var (p, s) in _pairs)
        {
            s.Copy_(p);
        }
    }

    /// <summary>
    /// The warm-up decay of update <paramref name="updates"/>: min(cap, (1 + n)/(10 + n)), so early updates follow the
    /// source closely; pretraining and RL both use it.
    /// </summary>
    public static double WarmupDecay(long updates, double cap) => Math.Min(cap, (1.0 + updates) / (10.0 + updates));

    /// <summary>One EMA step with the given decay (0 copies the source exactly).</summary>
    public void Update(double decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decay, 1.0);
        if (decay == 0)
        {
            CopyFromSource();
            return;
        }
        using var noGrad = Autograd.NoGrad();
        foreach (var (p, s) in _pairs)
        {
            s.Lerp_(p, 1 - decay);
        }
    }
}
