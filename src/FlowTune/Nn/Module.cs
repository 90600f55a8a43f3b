using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>
/// Base of every network component. Parameters, buffers and children are registered explicitly, by name,
/// in the constructor; their dotted paths (<c>blocks.0.attn.q_proj.weight</c>) are the checkpoint keys.
/// Registered tensors are owned by the module (never by a <see cref="TensorScope"/>) and freed by Dispose.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private readonly HashSet<string> _names = [];
    private bool _disposed;

    /// <summary>True in training mode (dropout active), false in evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable parameter (sets requires_grad) and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckName(name);
        tensor.DetachFromScope();
        tensor.RequiresGrad = true;
        _parameters.Add(new(name, tensor));
        return tensor;
    }

    /// <summary>Registers a non-trainable state tensor (saved in checkpoints) and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckName(name);
        tensor.DetachFromScope();
        _buffers.Add(new(name, tensor));
        return tensor;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _children.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"name '{name}' must not contain '.'", nameof(name));
        }
        if (!_names.Add(name))
        {
            throw new ArgumentException($"name '{name}' is already registered in {GetType().Name}", nameof(name));
        }
    }

    /// <summary>Every parameter with its dotted path, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters() => Walk(m => m._parameters, "");

    /// <summary>Every buffer with its dotted path, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers() => Walk(m => m._buffers, "");

    /// <summary>Direct and nested children with their dotted paths.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        foreach (var (name, child) in _children)
        {
            var path = prefix + name;
            yield return new(path, child);
            foreach (var nested in child.NamedModules(path + "."))
            {
                yield return nested;
            }
        }
    }

    /// <summary>Every parameter tensor.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Parameters that currently require gradients.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> TrainableParameters() => NamedParameters().Where(p => p.Value.RequiresGrad);

    /// <summary>Parameters then buffers: everything a checkpoint stores.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateDict() => NamedParameters().Concat(NamedBuffers());

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => p.NumElements);

    private IEnumerable<KeyValuePair<string, Tensor>> Walk(Func<Module, List<KeyValuePair<string, Tensor>>> pick, string prefix)
    {
        foreach (var (name, t) in pick(this))
        {
            yield return new(prefix + name, t);
        }
        foreach (var (name, child) in _children)
        {
            foreach (var nested in child.Walk(pick, prefix + name + "."))
            {
                yield return nested;
            }
        }
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers (no gradient).
    /// With <paramref name="strict"/>, missing and unexpected keys are errors, except missing keys for which
    /// <paramref name="allowMissing"/> is true (they keep their values); shapes must always match.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true, Func<string, bool>? allowMissing = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict().ToList();
        var problems = new List<string>();
        if (strict)
        {
            var ownNames = own.Select(p => p.Key).ToHashSet();
            problems.AddRange(own.Where(p => !state.ContainsKey(p.Key) && allowMissing?.Invoke(p.Key) != true).Select(p => $"missing key '{p.Key}'"));
            problems.AddRange(state.Keys.Where(k => !ownNames.Contains(k)).Select(k => $"unexpected key '{k}'"));
        }
        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source) && !source.Shape.SequenceEqual(target.Shape))
            {
                problems.Add($"'{name}': checkpoint shape [{string.Join(", ", source.Shape)}] vs model [{string.Join(", ", target.Shape)}]");
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"cannot load state into {GetType().Name}: {string.Join("; ", problems)}");
        }
        using (Autograd.NoGrad())
        {
            foreach (var (name, target) in own)
            {
                if (state.TryGetValue(name, out var source))
                {
                    target.Copy_(source);
                }
            }
        }
    }

    /// <summary>Switches this module and its children to training (true) or evaluation (false) mode.</summary>
    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _children)
        {
            child.Train(training);
        }
        return this;
    }

    /// <summary>Evaluation mode.</summary>
    public Module Eval() => Train(false);

    /// <summary>Stops (or restarts) gradient tracking for every parameter.</summary>
    public void SetRequiresGrad(bool requiresGrad)
    {
        foreach (var p in Parameters())
        {
            p.RequiresGrad = requiresGrad;
        }
    }

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ClearGrad();
        }
    }

    /// <summary>Moves (or casts) every parameter and buffer in place, keeping tensor identities.</summary>
    public void To(Device device)
    {
        using (Autograd.NoGrad())
        {
            foreach (var (_, t) in StateDict())
            {
                using var moved = t.To(device);
                t.SetData(moved);
            }
        }
    }

    /// <summary>Casts every floating-point parameter and buffer to <paramref name="dtype"/> in place, keeping tensor identities (integer buffers stay).</summary>
    public void To(DType dtype)
    {
        using (Autograd.NoGrad())
        {
            foreach (var (_, t) in StateDict())
            {
                if (t.DType.IsFloatingPoint() && t.DType != dtype)
                {
                    using var cast = t.To(dtype);
                    t.SetData(cast);
                }
            }
        }
    }

    /// <summary>Frees every parameter, buffer and child.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees owned tensors; override to free other resources (call the base).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }
        _disposed = true;
        foreach (var (_, t) in _parameters.Concat(_buffers))
        {
            t.Dispose();
        }
        foreach (var (_, child) in _children)
        {
            child.Dispose();
        }
    }
}
