using FlowTune.Common;
using System.Globalization;
using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>
/// AdamW over named parameters. Per step t, for each parameter p with gradient g:
/// p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
/// p ← p − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + ε)  (PyTorch's formulation).
/// State (step, moments) is keyed by parameter name so it can be saved and restored exactly.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _state = [];

    /// <summary>Creates the optimizer for the given named parameters.</summary>
    public AdamW(IEnumerable<KeyValuePair<string, Tensor>> parameters, AdamWOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        Validation.ThrowIfAny(options.Validate(), "AdamW options");
        _parameters = parameters.ToList();
        var duplicate = _parameters.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"parameter name '{duplicate.Key}' appears twice", nameof(parameters));
        }
        Parameters = _parameters.Select(p => p.Value).ToList();
        Options = options;
        LearningRate = options.LearningRate;
    }

    /// <summary>The parameters this optimizer steps, in the order given (e.g. what a gradient clip must cover).</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The options the optimizer was created with.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Current learning rate (schedules may change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update from the accumulated gradients (parameters without a gradient are skipped).</summary>
    public void Step()
    {
        StepCount++;
        var o = Options;
        var bc1 = 1 - Math.Pow(o.Beta1, StepCount);
        var bc2 = 1 - Math.Pow(o.Beta2, StepCount);
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        foreach (var (name, p) in _parameters)
        {
            var g = p.Grad;
            if (g is null)
            {
                continue;
            }
            var (m, v) = StateFor(name, p);
            p.Mul_(1 - LearningRate * o.WeightDecay);
            m.Lerp_(g, 1 - o.Beta1);
            v.Mul_(o.Beta2).Addcmul_(g, g, 1 - o.Beta2);
            var denom = (v.Sqrt() / Math.Sqrt(bc2)).Add(o.Epsilon);
            p.Addcdiv_(m, denom, -LearningRate / bc1);
        }
    }

    /// <summary>Drops the gradients of every managed parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            p.ClearGrad();
        }
    }

    private (Tensor, Tensor) StateFor(string name, Tensor p)
    {
        if (!_state.TryGetValue(name, out var s))
        {
            s = (Tensor.ZerosLike(p).DetachFromScope(), Tensor.ZerosLike(p).DetachFromScope());
            _state[name] = s;
        }
        return s;
    }

    /// <summary>The optimizer state as named tensors (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>) plus metadata.</summary>
    public (List<KeyValuePair<string, Tensor>> Tensors, Dictionary<string, string> Metadata) StateDict()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, (m, v)) in _state)
        {
            tensors.Add(new("exp_avg." + name, m));
            tensors.Add(new("exp_avg_sq." + name, v));
        }
        var meta = new Dictionary<string, string>
        {
            ["optimizer"] = "adamw",
            ["step"] = StepCount.ToString(CultureInfo.InvariantCulture),
            ["lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        };
        return (tensors, meta);
    }

    /// <summary>Restores a state produced by <see cref="StateDict"/> (tensors are copied).</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("step", out var step) || !long.TryParse(step, NumberStyles.Integer, CultureInfo.InvariantCulture, out var steps))
        {
            throw new InvalidDataException("optimizer state has no valid 'step' metadata");
        }
        var known = _parameters.ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, tensor) in tensors)
        {
            var name = key.StartsWith("exp_avg_sq.", StringComparison.Ordinal) ? key["exp_avg_sq.".Length..]
                : key.StartsWith("exp_avg.", StringComparison.Ordinal) ? key["exp_avg.".Length..]
                : throw new InvalidDataException($"unexpected optimizer state tensor '{key}'");
            if (!known.TryGetValue(name, out var parameter))
            {
                throw new InvalidDataException($"optimizer state for unknown parameter '{name}'");
            }
            if (!tensor.Shape.SequenceEqual(parameter.Shape))
            {
                throw new InvalidDataException(
                    $"optimizer state '{key}' has shape [{string.Join(", ", tensor.Shape)}] but parameter '{name}' has shape [{string.Join(", ", parameter.Shape)}]");
            }
        }
        foreach (var (name, _) in _parameters)
        {
            if (tensors.ContainsKey("exp_avg." + name) != tensors.ContainsKey("exp_avg_sq." + name))
            {
                throw new InvalidDataException($"optimizer state for '{name}' is incomplete");
            }
        }
        DisposeState();
        foreach (var (name, p) in _parameters)
        {
            var hasM = tensors.TryGetValue("exp_avg." + name, out var m);
            var hasV = tensors.TryGetValue("exp_avg_sq." + name, out var v);
            if (hasM && hasV)
            {
                var (mine, mineSq) = StateFor(name, p);
                mine.Copy_(m!);
                mineSq.Copy_(v!);
            }
        }
        StepCount = steps;
        if (metadata.TryGetValue("lr", out var lr) && double.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            LearningRate = parsed;
        }
    }

    private void DisposeState()
    {
        foreach (var (m, v) in _state.Values)
        {
            m.Dispose();
            v.Dispose();
        }
        _state.Clear();
    }

    /// <summary>Frees the moment tensors.</summary>
    public void Dispose() => DisposeState();
}
