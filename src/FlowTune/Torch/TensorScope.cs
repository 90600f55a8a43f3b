namespace FlowTune.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes them when it
/// closes. Results escape with <see cref="MoveToOuter(Tensor)"/> (or <see cref="Tensor.DetachFromScope"/>).
/// </summary>
/// <example><code>
/// using (var scope = TensorScope.Enter())
/// {
///     var loss = ...;                    // thousands of temporaries
///     return scope.MoveToOuter(loss);    // everything else is freed here
/// }
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private TensorScope(TensorScope? parent) => _parent = parent;

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Opens a scope nested in the current one.</summary>
    public static TensorScope Enter()
    {
        var scope = new TensorScope(_current);
        _current = scope;
        return scope;
    }

    /// <summary>Number of tensors this scope currently owns.</summary>
    public int Count => _owned.Count;

    internal static void Adopt(Tensor tensor)
    {
        var scope = _current;
        while (scope is { _disposed: true })
        {
            scope = scope._parent;
        }
        if (scope is not null)
        {
            scope._owned.Add(tensor);
            tensor.Scope = scope;
        }
    }

    internal void Release(Tensor tensor)
    {
        _owned.Remove(tensor);
        tensor.Scope = null;
    }

    /// <summary>Hands <paramref name="tensor"/> to the enclosing scope (or to nobody) and returns it.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this)
        {
            Release(tensor);
            if (_parent is not null && !_parent._disposed)
            {
                _parent._owned.Add(tensor);
                tensor.Scope = _parent;
            }
        }
        return tensor;
    }

    /// <summary>Hands several tensors to the enclosing scope.</summary>
    public void MoveToOuter(IEnumerable<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var t in tensors)
        {
            MoveToOuter(t);
        }
    }

    /// <summary>Disposes every tensor still owned and closes the scope.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_current == this)
        {
            var open = _parent;
            while (open is { _disposed: true })
            {
                open = open._parent;
            }
            _current = open;
        }
        foreach (var t in _owned)
        {
            t.Scope = null;
            t.Dispose();
        }
        _owned.Clear();
    }
}
