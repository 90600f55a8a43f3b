using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>Thread-local autograd switches: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
public static class Autograd
{
    /// <summary>Whether autograd records operations on this thread.</summary>
    public static bool GradEnabled
    {
        get
        {
            TorchRuntime.EnsureInitialized();
            NativeError.Check(NativeMethods.ft_grad_mode(-1, out var prev));
            return prev != 0;
        }
    }

    /// <summary>Disables autograd on this thread until disposed: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static IDisposable NoGrad() => new GradModeScope(false);

    /// <summary>Enables autograd on this thread until disposed (inside a <see cref="NoGrad"/> region).</summary>
    public static IDisposable EnableGrad() => new GradModeScope(true);

    private sealed class GradModeScope : IDisposable
    {
        private readonly int _previous;
        private bool _disposed;

        public GradModeScope(bool enabled)
        {
            TorchRuntime.EnsureInitialized();
            NativeError.Check(NativeMethods.ft_grad_mode(enabled ? 1 : 0, out _previous));
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeError.Check(NativeMethods.ft_grad_mode(_previous, out _));
            }
        }
    }
}
