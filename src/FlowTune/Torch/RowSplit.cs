using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// Inference on row slices of a batch, one slice per thread. With T intra-op threads, a forward without autograd
/// over a batch of at least 2T rows runs as T slices of consecutive rows, each on its own thread with one intra-op
/// thread, and the results are concatenated in row order. On small CPU models this beats splitting every op over T
/// threads (fewer synchronisations per op; docs/RESULTS.md, "Epoch speed"). The numbers depend on T, as with intra-op
/// threading: the same seed and thread count give the same results. Off with <c>FLOWTUNE_ROW_SPLIT=0</c> or
/// <see cref="Enabled"/>.
/// </summary>
public static class RowSplit
{
    private static readonly object PoolLock = new();
    private static readonly List<Worker> Pool = [];

    /// <summary>Whether inference batches are split (default: on unless <c>FLOWTUNE_ROW_SPLIT=0</c>).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("FLOWTUNE_ROW_SPLIT") != "0";

    /// <summary>
    /// The slices a batch of <paramref name="rows"/> is cut into on this thread now: T when enabled, autograd is off,
    /// the calling thread is not a slice worker and rows ≥ 2T; otherwise 1.
    /// </summary>
    public static int Slices(long rows)
    {
        if (!Enabled || Worker.IsWorkerThread || Autograd.GradEnabled)
        {
            return 1;
        }
        var threads = TorchRuntime.NumThreads;
        return threads > 1 && rows >= 2L * threads ? threads : 1;
    }

    /// <summary>
    /// Evaluates <paramref name="forward"/>(start, length) for <paramref name="slices"/> consecutive row ranges of
    /// <paramref name="rows"/> rows, concurrently, autograd off, and returns the results concatenated along dim 0
    /// (owned by the caller's scope). With one slice it runs on the calling thread.
    /// </summary>
    public static Tensor Map(long rows, int slices, Func<long, long, Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, (long)slices);
        if (slices == 1)
        {
            return forward(0, rows);
        }
        var workers = Workers(slices);
        using var done = new CountdownEvent(slices);
        var results = new Tensor?[slices];
        var errors = new Exception?[slices];
        for (var i = 0; i < slices; i++)
        {
            var start = rows * i / slices;
            var length = (rows * (i + 1) / slices) - start;
            var slot = i;
            workers[i].Post(() =>
            {
                try
                {
                    using var scope = TensorScope.Enter();
                    using var noGrad = Autograd.NoGrad();
                    results[slot] = forward(start, length).DetachFromScope();
                }
                catch (Exception e)
                {
                    errors[slot] = e;
                }
                finally
                {
                    done.Signal();
                }
            });
        }
        done.Wait();
        try
        {
            if (errors.FirstOrDefault(e => e is not null) is { } error)
            {
                ExceptionDispatchInfo.Capture(error).Throw();
            }
            return Tensor.Cat([.. results.Select(r => r!)], 0);
        }
        finally
        {
            foreach (var r in results)
            {
                r?.Dispose();
            }
        }
    }

    private static List<Worker> Workers(int count)
    {
        lock (PoolLock)
        {
            if (Pool.Count < count)
            {
                var threads = TorchRuntime.NumThreads;
                while (Pool.Count < count)
                {
                    Pool.Add(new Worker(Pool.Count));
                }
                // a worker sets its own intra-op count to 1, which also resets libtorch's default for new threads
                NativeError.Check(NativeMethods.ft_set_num_threads(threads));
            }
            return Pool.GetRange(0, count);
        }
    }

    /// <summary>A background thread with one libtorch intra-op thread that runs posted work items in order.</summary>
    private sealed class Worker
    {
        [ThreadStatic] private static bool _isWorker;
        private readonly BlockingCollection<Action> _work = [];

        public Worker(int index)
        {
            using var started = new ManualResetEventSlim();
            var thread = new Thread(() =>
            {
                _isWorker = true;
                NativeError.Check(NativeMethods.ft_set_num_threads(1));
                started.Set();
                foreach (var work in _work.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = $"flowtune-rows-{index}",
            };
            thread.Start();
            started.Wait();
        }

        public static bool IsWorkerThread => _isWorker;

        public void Post(Action work) => _work.Add(work);
    }
}
