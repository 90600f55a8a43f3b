using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// Mixed precision, thread-local like <c>torch.autocast</c>: inside <c>using (Autocast.Enter(device, dtype))</c>,
/// matrix products and convolutions on that device type run in <c>dtype</c> (bfloat16 or float16) and precision-
/// sensitive ops (softmax, norms, reductions) in float32, as libtorch's autocast lists say. Parameters keep their own
/// dtype (float32 adapters train as float32 master weights). CPU autocast supports only bfloat16.
/// </summary>
public static class Autocast
{
    /// <summary>Whether autocast is on for <paramref name="device"/>'s type on this thread.</summary>
    public static bool IsEnabled(DeviceType device)
    {
        TorchRuntime.EnsureInitialized();
        NativeError.Check(NativeMethods.ft_autocast_enabled((int)device, out var enabled));
        return enabled != 0;
    }

    /// <summary>Turns autocast on for <paramref name="device"/>'s type with <paramref name="dtype"/> until disposed (nests; the previous state comes back).</summary>
    public static IDisposable Enter(DeviceType device, DType dtype) => new AutocastScope(device, dtype);

    private sealed class AutocastScope : IDisposable
    {
        private readonly DeviceType _device;
        private readonly int _previousEnabled;
        private readonly int _previousDtype;
        private bool _disposed;

        public AutocastScope(DeviceType device, DType dtype)
        {
            TorchRuntime.EnsureInitialized();
            _device = device;
            NativeError.Check(NativeMethods.ft_autocast_enter((int)device, (int)dtype, out _previousEnabled, out _previousDtype));
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeError.Check(NativeMethods.ft_autocast_exit((int)_device, _previousEnabled, _previousDtype));
            }
        }
    }
}
