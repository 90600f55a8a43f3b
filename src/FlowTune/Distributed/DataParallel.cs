using FlowTune.Torch;

namespace FlowTune.Distributed;

/// <summary>
/// This process's membership of a data-parallel job: the rendezvous store, a Gloo <see cref="ProcessGroup"/>, and the
/// few operations trainers need (average gradients, broadcast weights from rank 0, agree on a flag, gather values),
/// each turning a failed collective into a <see cref="DistributedException"/> that names the lost ranks. A heartbeat
/// thread bumps a counter in the store every second on its own connection; when a collective fails, the ranks whose
/// counter stopped are the lost ones (and when the store itself is gone, rank 0, which hosts it, is). A single
/// process is the world of size 1 (<see cref="Single"/>): every operation is then the identity, so trainers have no
/// second code path.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private const string HeartbeatPrefix = "flowtune/heartbeat/";
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    private readonly RendezvousStore? _store;
    private readonly RendezvousStore? _heartbeatStore;
    private readonly ProcessGroup? _group;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _heartbeat;

    private DataParallel(int rank, int size, RendezvousStore? store, RendezvousStore? heartbeatStore, ProcessGroup? group)
    {
        Rank = rank;
        Size = size;
        _store = store;
        _heartbeatStore = heartbeatStore;
        _group = group;
        if (heartbeatStore is not null)
        {
            heartbeatStore.Add(HeartbeatPrefix + rank, 1);
            _heartbeat = new Thread(Beat) { IsBackground = true, Name = $"flowtune-heartbeat-{rank}" };
            _heartbeat.Start();
        }
    }

    /// <summary>A process on its own (world size 1).</summary>
    public static DataParallel Single => new(0, 1, null, null, null);

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>Whether this is rank 0: the one that writes metrics, evaluations and checkpoints.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>
    /// Joins the job <paramref name="launch"/> describes (TCPStore at MASTER_ADDR:MASTER_PORT, then Gloo), or returns
    /// <see cref="Single"/> when <paramref name="launch"/> is null. Blocks until every rank has joined or
    /// <paramref name="timeout"/> passes; the same timeout bounds every later collective.
    /// </summary>
    /// <param name="launch">The job, from <see cref="LaunchEnvironment.FromProcess"/>; null: this process alone.</param>
    /// <param name="timeout">Bound of the rendezvous and of every collective.</param>
    /// <param name="networkInterface">Gloo's network interface (e.g. <c>eth0</c>); null: the interface of this
    /// machine's hostname, or loopback when MASTER_ADDR is a loopback address (one machine).</param>
    public static DataParallel Join(LaunchEnvironment? launch, TimeSpan timeout, string? networkInterface = null)
    {
        if (launch is null)
        {
            return Single;
        }
        var store = RendezvousStore.Tcp(launch.MasterAddress, launch.MasterPort, launch.WorldSize, launch.Rank == 0, timeout);
        return Join(store, () => RendezvousStore.Tcp(launch.MasterAddress, launch.MasterPort, launch.WorldSize, false, timeout),
            launch.Rank, launch.WorldSize, timeout, networkInterface, IsLoopback(launch.MasterAddress) ? launch.MasterAddress : null);
    }

    /// <summary>Joins through an open store; <paramref name="connect"/> opens a second connection for the heartbeat.</summary>
    public static DataParallel Join(RendezvousStore store, Func<RendezvousStore> connect, int rank, int size, TimeSpan timeout,
        string? networkInterface = null, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(connect);
        RendezvousStore? heartbeat = null;
        try
        {
            heartbeat = connect();
            var group = ProcessGroup.Gloo(store, rank, size, timeout, networkInterface, hostname);
            return new DataParallel(rank, size, store, heartbeat, group);
        }
        catch
        {
            heartbeat?.Dispose();
            store.Dispose();
            throw;
        }
    }

    /// <summary>Averages the gradients of <paramref name="parameters"/> over ranks (one all-reduce per dtype).</summary>
    public void AverageGradients(IEnumerable<Tensor> parameters, string what) => ReduceGradients(parameters, ReduceOp.Average, what);

    /// <summary>Sums the gradients of <paramref name="parameters"/> over ranks (losses already weighted by the global count).</summary>
    public void SumGradients(IEnumerable<Tensor> parameters, string what) => ReduceGradients(parameters, ReduceOp.Sum, what);

    /// <summary>
    /// Reduces the gradients over ranks. A parameter without a gradient on this rank (it had no sample in this update)
    /// gets a zero one first, so every rank reduces the same list.
    /// </summary>
    private void ReduceGradients(IEnumerable<Tensor> parameters, ReduceOp op, string what)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_group is null)
        {
            return;
        }
        using var scope = TensorScope.Enter();
        var list = parameters.ToList();
        var missing = list.Where(p => p.Grad is null).ToList();
        if (missing.Count > 0)
        {
            missing.Select(p => (p * 0.0).Sum()).Aggregate((a, b) => a + b).Backward(); // zero gradients
        }
        var grads = list.Select(p => p.Grad!).ToList();
        Collective(what, () => _group.AllReduce(grads, op));
    }

    /// <summary>Overwrites <paramref name="tensors"/> with rank 0's values (weights at the start of a run).</summary>
    public void BroadcastFromMain(IEnumerable<Tensor> tensors, string what)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (_group is null)
        {
            return;
        }
        using var noGrad = Autograd.NoGrad();
        foreach (var t in tensors)
        {
            Collective(what, () => _group.Broadcast(t, 0));
        }
    }

    /// <summary>True on every rank when <paramref name="flag"/> is true on any (stop requests, time limits).</summary>
    public bool Any(bool flag, string what)
    {
        if (_group is null)
        {
            return flag;
        }
        using var scope = TensorScope.Enter();
        var t = Tensor.Full([1], flag ? 1 : 0);
        Collective(what, () => _group.AllReduce([t], ReduceOp.Sum));
        return t.ToArray<float>()[0] > 0;
    }

    /// <summary>Every rank's <paramref name="values"/> (same length on every rank), concatenated in rank order.</summary>
    public double[] AllGather(double[] values, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_group is null)
        {
            return [.. values];
        }
        using var scope = TensorScope.Enter();
        var t = Tensor.FromArray(values, values.Length);
        Tensor[] parts = [];
        Collective(what, () => parts = _group.AllGather(t));
        return [.. parts.SelectMany(p => p.ToArray<double>())];
    }

    /// <summary>Returns when every rank has got here.</summary>
    public void Barrier(string what)
    {
        if (_group is not null)
        {
            Collective(what, _group.Barrier);
        }
    }

    /// <summary>This rank's rows of a global batch of <paramref name="count"/>: [Start, Start + Length).</summary>
    public (int Start, int Length) Shard(int count, string what)
    {
        if (count % Size != 0)
        {
            throw new ArgumentException($"{what} ({count}) must be divisible by the world size ({Size})");
        }
        var length = count / Size;
        return (Rank * length, length);
    }

    /// <summary>Stops the heartbeat and leaves the group.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _heartbeat?.Join(TimeSpan.FromSeconds(5));
        _group?.Dispose();
        _heartbeatStore?.Dispose();
        _store?.Dispose();
        _stop.Dispose();
    }

    private void Collective(string what, Action body)
    {
        try
        {
            body();
        }
        catch (TorchException e)
        {
            var lost = LostRanks();
            var who = lost.Count > 0
                ? $"lost rank {string.Join(", ", lost)} (no heartbeat for {LostAfter.TotalSeconds:F0} s)"
                : "every rank still beats (a hung rank or a network fault)";
            throw new DistributedException($"rank {Rank}: {what} failed: {who}: {e.Message}", lost, e);
        }
    }

    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(3);

    /// <summary>The ranks whose heartbeat counter did not move for <see cref="LostAfter"/>; rank 0 when the store is gone.</summary>
    private List<int> LostRanks()
    {
        if (_heartbeatStore is null)
        {
            return [];
        }
        _stop.Cancel();
        _heartbeat?.Join(TimeSpan.FromSeconds(5));
        try
        {
            var others = Enumerable.Range(0, Size).Where(r => r != Rank).ToList();
            var before = others.Select(r => _heartbeatStore.Add(HeartbeatPrefix + r, 0)).ToList();
            Thread.Sleep(LostAfter);
            var after = others.Select(r => _heartbeatStore.Add(HeartbeatPrefix + r, 0)).ToList();
            return [.. others.Where((r, i) => after[i] == before[i])];
        }
        catch (TorchException)
        {
            return Rank == 0 ? [] : [0];
        }
    }

    private void Beat()
    {
        while (!_stop.Token.WaitHandle.WaitOne(HeartbeatInterval))
        {
            try
            {
                _heartbeatStore!.Add(HeartbeatPrefix + Rank, 1);
            }
            catch (TorchException)
            {
                return; // the store is gone: the next collective reports it
            }
        }
    }

    private static bool IsLoopback(string address) =>
        address == "localhost" || (System.Net.IPAddress.TryParse(address, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
