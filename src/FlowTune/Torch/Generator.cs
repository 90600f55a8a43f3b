using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// A seeded random generator (libtorch's CPU Philox/MT generator). All FlowTune randomness goes through explicit
/// generators, so the same seed and thread count give the same numbers. Noise is drawn on the CPU and moved to
/// the target device, so runs match across devices. The state can be saved and restored (resume).
/// </summary>
public sealed class Generator : IDisposable
{
    private IntPtr _handle;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        TorchRuntime.EnsureInitialized();
        NativeError.Check(NativeMethods.ft_generator_new(seed, out _handle));
        Seed = seed;
    }

    /// <summary>Finalizer: frees a generator that was never disposed.</summary>
    ~Generator() => Free();

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <summary>The full state as bytes (to save with a checkpoint).</summary>
    public byte[] GetState()
    {
        NativeError.Check(NativeMethods.ft_generator_get_state(Handle, out var h));
        using var t = Tensor.FromOwnedHandle(h).DetachFromScope();
        return t.ToArray<byte>();
    }

    /// <summary>Restores a state produced by <see cref="GetState"/>.</summary>
    public void SetState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var t = Tensor.FromBytes(state, DType.UInt8, state.Length).DetachFromScope();
        NativeError.Check(NativeMethods.ft_generator_set_state(Handle, t.Handle));
    }

    /// <summary>Frees the generator.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero)
        {
            NativeMethods.ft_generator_free(h);
        }
    }
}
