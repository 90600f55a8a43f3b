using System.Text;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// A c10d key-value store through which the processes of a job find each other (rendezvous) and exchange small
/// values: <c>TCPStore</c> (hosted by rank 0 at MASTER_ADDR:MASTER_PORT, what torchrun uses) or <c>FileStore</c> (a
/// file on a shared disk; tests). <c>Get</c> waits up to the store's timeout for a key another process sets.
/// </summary>
public sealed class RendezvousStore : IDisposable
{
    private IntPtr _handle;

    private RendezvousStore(IntPtr handle) => _handle = handle;

    /// <summary>Finalizer: frees a store that was never disposed.</summary>
    ~RendezvousStore() => Free();

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(RendezvousStore));

    /// <summary>
    /// A TCPStore: <paramref name="isMaster"/> (rank 0) listens on <paramref name="port"/>, the others connect to
    /// <paramref name="host"/>, retrying until <paramref name="timeout"/>.
    /// </summary>
    public static RendezvousStore Tcp(string host, int port, int worldSize, bool isMaster, TimeSpan timeout)
    {
        TorchRuntime.EnsureInitialized();
        NativeError.Check(NativeMethods.ft_store_tcp(host, port, worldSize, isMaster ? 1 : 0, (long)timeout.TotalMilliseconds, out var h));
        return new RendezvousStore(h);
    }

    /// <summary>A FileStore at <paramref name="path"/> shared by <paramref name="worldSize"/> processes.</summary>
    public static RendezvousStore File(string path, int worldSize, TimeSpan timeout)
    {
        TorchRuntime.EnsureInitialized();
        NativeError.Check(NativeMethods.ft_store_file(path, worldSize, (long)timeout.TotalMilliseconds, out var h));
        return new RendezvousStore(h);
    }

    /// <summary>Sets <paramref name="key"/> to a UTF-8 string.</summary>
    public unsafe void Set(string key, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* p = bytes)
        {
            NativeError.Check(NativeMethods.ft_store_set(Handle, key, p, bytes.Length));
        }
    }

    /// <summary>The value of <paramref name="key"/>, waiting up to the store's timeout for some process to set it.</summary>
    public unsafe string Get(string key)
    {
        var buffer = new byte[256];
        while (true)
        {
            long length;
            fixed (byte* p = buffer)
            {
                NativeError.Check(NativeMethods.ft_store_get(Handle, key, p, buffer.Length, out length));
            }

            if (length <= buffer.Length)
            {
                return Encoding.UTF8.GetString(buffer, 0, (int)length);
            }

            buffer = new byte[length];
        }
    }

    /// <summary>Whether <paramref name="key"/> is set now (does not wait).</summary>
    public bool Contains(string key)
    {
        NativeError.Check(NativeMethods.ft_store_check(Handle, key, out var present));
        return present != 0;
    }

    /// <summary>Atomically adds <paramref name="delta"/> to the counter <paramref name="key"/> and returns the new value.</summary>
    public long Add(string key, long delta)
    {
        NativeError.Check(NativeMethods.ft_store_add(Handle, key, delta, out var value));
        return value;
    }

    /// <summary>Frees the store (a TCPStore's server stops when rank 0 disposes it).</summary>
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
            NativeMethods.ft_store_free(h);
        }
    }
}
