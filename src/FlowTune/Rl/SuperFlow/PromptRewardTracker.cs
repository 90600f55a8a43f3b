namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// Per-prompt reward statistics that persist across epochs (Welford mean and squared deviations), plus the pooled
/// statistics of all rewards, which serve as the prior of prompts seen rarely or never:
/// <c>var_i = (M2_i + k·var_all) / (n_i + k)</c> with prior strength k.
/// </summary>
public sealed class PromptRewardTracker
{
    private readonly Dictionary<string, Stats> _prompts = new(StringComparer.Ordinal);
    private Stats _all = new(0, 0, 0);

    /// <summary>Count, mean and sum of squared deviations of one prompt's rewards.</summary>
    public sealed record Stats(double Count, double Mean, double M2)
    {
        /// <summary>Adds one reward.</summary>
        public Stats Add(double r)
        {
            var n = Count + 1;
            var delta = r - Mean;
            var mean = Mean + delta / n;
            return new Stats(n, mean, M2 + delta * (r - mean));
        }
    }

    /// <summary>Records rewards of one prompt.</summary>
    public void Update(string prompt, IEnumerable<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        var s = _prompts.TryGetValue(prompt, out var existing) ? existing : new Stats(0, 0, 0);
        foreach (var r in rewards)
        {
            s = s.Add(r);
            _all = _all.Add(r);
        }
        _prompts[prompt] = s;
    }

    /// <summary>Rewards seen for a prompt.</summary>
    public double Count(string prompt) => _prompts.TryGetValue(prompt, out var s) ? s.Count : 0;

    /// <summary>Posterior estimate of a prompt's reward std, shrunk towards the pooled std with strength <paramref name="priorStrength"/>.</summary>
    public double EstimatedStd(string prompt, double priorStrength)
    {
        var priorVar = _all.Count > 1 ? _all.M2 / _all.Count : 0.25; // before any data: the largest variance of a [0, 1] reward
        var s = _prompts.TryGetValue(prompt, out var existing) ? existing : new Stats(0, 0, 0);
        return Math.Sqrt((s.M2 + priorStrength * priorVar) / (s.Count + priorStrength));
    }

    /// <summary>The state, for checkpoints.</summary>
    public Dictionary<string, Stats> Snapshot() => new(_prompts) { ["\u0000all"] = _all };

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(IReadOnlyDictionary<string, Stats> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _prompts.Clear();
        foreach (var (key, value) in snapshot)
        {
            if (key == "\u0000all")
            {
                _all = value;
            }
            else
            {
                _prompts[key] = value;
            }
        }
    }
}
