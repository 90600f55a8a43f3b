using System.Runtime.InteropServices;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>The libtorch runtime: loading, thread count, version, devices, live-tensor counts.</summary>
public static class TorchRuntime
{
    private static readonly object InitLock = new();
    private static volatile bool _initialized;

    /// <summary>
    /// Loads libtorch and sets its intra-op thread count: <c>FLOWTUNE_THREADS</c> if set, otherwise all cores.
    /// Called automatically before the first native call.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }
        lock (InitLock)
        {
            if (_initialized)
            {
                return;
            }
            NativeLoader.Register();
            NativeLoader.PrepareEnvironment();
            var threads = Environment.ProcessorCount;
            var env = Environment.GetEnvironmentVariable("FLOWTUNE_THREADS");
            if (!string.IsNullOrEmpty(env) && (!int.TryParse(env, out threads) || threads < 1))
            {
                throw new InvalidOperationException($"FLOWTUNE_THREADS must be a positive integer, got '{env}'");
            }
            NativeError.Check(NativeMethods.ft_set_num_threads(threads));
            _initialized = true;
        }
    }

    /// <summary>The OpenMP/OpenBLAS variables FlowTune set (or found) before libtorch loaded.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentInForce
    {
        get
        {
            EnsureInitialized();
            return NativeLoader.EnvironmentInForce;
        }
    }

    /// <summary>libtorch's intra-op thread count.</summary>
    public static int NumThreads
    {
        get
        {
            EnsureInitialized();
            NativeError.Check(NativeMethods.ft_get_num_threads(out var n));
            return n;
        }
        set
        {
            EnsureInitialized();
            NativeError.Check(NativeMethods.ft_set_num_threads(value));
        }
    }

    /// <summary>The libtorch version FlowTune was built against (e.g. "1.13.0").</summary>
    public static unsafe string Version
    {
        get
        {
            EnsureInitialized();
            var buf = stackalloc byte[64];
            NativeError.Check(NativeMethods.ft_version(buf, 64));
            return Marshal.PtrToStringUTF8((IntPtr)buf) ?? "";
        }
    }

    private static Device _defaultDevice = Device.Cpu;

    /// <summary>
    /// The device new tensors are made on when a creation function is given none (<c>Zeros</c>, <c>FromArray</c>,
    /// <c>Randn</c>, ...), so models, rollouts and losses follow one setting (the CLI's <c>--device</c>). Random
    /// numbers are always drawn on the CPU from the explicit <see cref="Generator"/> and then moved, so a seed gives
    /// the same noise on every device. Setting a CUDA device that libtorch cannot see fails here, naming the device
    /// and the count. Process-wide; set it once, before any model is built.
    /// </summary>
    public static Device DefaultDevice
    {
        get => ScopedDevice.Value ?? _defaultDevice;
        set
        {
            CheckAvailable(value);
            _defaultDevice = value;
        }
    }

    private static readonly AsyncLocal<Device?> ScopedDevice = new();

    /// <summary>
    /// Makes <paramref name="device"/> the default for this logical flow (the calling code and the tasks it starts)
    /// until the returned scope is disposed; other flows keep theirs. For tests and libraries that must not change
    /// the process-wide <see cref="DefaultDevice"/>.
    /// </summary>
    public static IDisposable UseDevice(Device device)
    {
        CheckAvailable(device);
        var previous = ScopedDevice.Value;
        ScopedDevice.Value = device;
        return new DeviceScope(previous);
    }

    private static void CheckAvailable(Device device)
    {
        if (device.Type != DeviceType.Cuda)
        {
            return;
        }
        var count = CudaDeviceCount;
        if (Math.Max(device.Index, 0) >= count)
        {
            throw new ArgumentException(count == 0
                ? $"device {device}: this libtorch sees no CUDA device (a CPU-only build, or no GPU or driver; build against a CUDA libtorch with FLOWTUNE_LIBTORCH)"
                : $"device {device}: this libtorch sees {count} CUDA device(s), indices 0..{count - 1}");
        }
    }

    private sealed class DeviceScope(Device? previous) : IDisposable
    {
        public void Dispose() => ScopedDevice.Value = previous;
    }

    /// <summary>Number of CUDA devices libtorch can use (0 on a CPU build).</summary>
    public static int CudaDeviceCount
    {
        get
        {
            EnsureInitialized();
            NativeError.Check(NativeMethods.ft_cuda_device_count(out var n));
            return n;
        }
    }

    /// <summary>Native tensor handles alive (the shim's own count; tests assert it returns to baseline).</summary>
    public static long LiveNativeTensors
    {
        get
        {
            EnsureInitialized();
            return NativeMethods.ft_live_tensors();
        }
    }
}
