using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    /// <summary>Element-wise sum over ranks.</summary>
    Sum = 0,

    /// <summary>Element-wise mean over ranks (sum, then divided by the world size).</summary>
    Average = 1,
}

/// <summary>
/// A c10d process group over Gloo (CPU tensors; TCP between processes): the collectives data-parallel training needs,
/// each bounded by a timeout so a lost or hung peer becomes a <see cref="TorchException"/> carrying Gloo's message
/// instead of a hang. Every rank must call the same collectives in the same order with same-shaped tensors.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private IntPtr _handle;

    private ProcessGroup(IntPtr handle, int rank, int size, TimeSpan timeout)
    {
        _handle = handle;
        Rank = rank;
        Size = size;
        Timeout = timeout;
    }

    /// <summary>Finalizer: frees a group that was never disposed.</summary>
    ~ProcessGroup() => Free();

    /// <summary>This process's rank, 0 to <see cref="Size"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes (the world size).</summary>
    public int Size { get; }

    /// <summary>How long one collective may take before it fails.</summary>
    public TimeSpan Timeout { get; }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    /// <summary>
    /// Joins a Gloo group through <paramref name="store"/>; blocks until all <paramref name="size"/> ranks have joined.
    /// The TCP device is <paramref name="networkInterface"/> if given (e.g. <c>eth0</c>, like GLOO_SOCKET_IFNAME), else
    /// the address <paramref name="hostname"/> resolves to, else Gloo's default (this machine's hostname).
    /// </summary>
    public static ProcessGroup Gloo(RendezvousStore store, int rank, int size, TimeSpan timeout, string? networkInterface = null, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        NativeError.Check(NativeMethods.ft_group_gloo(store.Handle, rank, size, networkInterface, hostname, (long)timeout.TotalMilliseconds, out var h));
        return new ProcessGroup(h, rank, size, timeout);
    }

    /// <summary>Reduces <paramref name="tensors"/> in place across ranks (one flat buffer per dtype: one collective each).</summary>
    public unsafe void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
        {
            handles[i] = tensors[i].Handle;
        }

        fixed (IntPtr* p = handles)
        {
            NativeError.Check(NativeMethods.ft_all_reduce(Handle, p, handles.Length, (int)op, TimeoutMs));
        }

        GC.KeepAlive(tensors);
    }

    /// <summary>Overwrites <paramref name="tensor"/> on every rank with rank <paramref name="root"/>'s values.</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        NativeError.Check(NativeMethods.ft_broadcast(Handle, tensor.Handle, root, TimeoutMs));
        GC.KeepAlive(tensor);
    }

    /// <summary>Every rank's <paramref name="tensor"/> (same shape on all ranks), rank r's at index r; new tensors.</summary>
    public unsafe Tensor[] AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var outputs = new IntPtr[Size];
        fixed (IntPtr* p = outputs)
        {
            NativeError.Check(NativeMethods.ft_all_gather(Handle, tensor.Handle, TimeoutMs, p));
        }

        GC.KeepAlive(tensor);
        return outputs.Select(Tensor.FromOwnedHandle).ToArray();
    }

    /// <summary>Returns when every rank has reached it (or throws after <see cref="Timeout"/>).</summary>
    public void Barrier() => NativeError.Check(NativeMethods.ft_barrier(Handle, TimeoutMs));

    /// <summary>Leaves the group.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private long TimeoutMs => (long)Timeout.TotalMilliseconds;

    private void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero)
        {
            NativeMethods.ft_group_free(h);
        }
    }
}
