using System.Collections.Concurrent;

namespace FlowTune.Torch;

/// <summary>
/// A worker thread for libtorch work that runs beside the caller's, with its own intra-op thread count and autograd
/// off. On a machine with few cores, two independent no-gradient computations (e.g. a frozen reference model's
/// forwards beside sampling) at one thread each use the cores better than one after the other at two threads, since
/// small ops parallelise poorly. Forwards give the same values at any thread count, so the results are unchanged.
/// </summary>
/// <remarks>
/// Jobs run one at a time, in submission order. Tensors a job creates belong to no <see cref="TensorScope"/> unless
/// the job opens one (the lane thread has none): the caller owns the tensors a job returns. A job must not touch
/// modules or tensors that the caller changes meanwhile.
/// </remarks>
public sealed class TorchLane : IDisposable
{
    private readonly BlockingCollection<Action> _jobs = new();
    private readonly Thread _thread;
    private bool _disposed;

    /// <summary>Starts the lane's thread with <paramref name="threads"/> intra-op threads.</summary>
    public TorchLane(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchRuntime.EnsureInitialized();
        Threads = threads;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Loop(started)) { IsBackground = true, Name = "FlowTune torch lane" };
        _thread.Start();
        started.Task.GetAwaiter().GetResult();
    }

    /// <summary>The lane's intra-op thread count.</summary>
    public int Threads { get; }

    /// <summary>Queues <paramref name="job"/>; the task completes with its result (or its exception).</summary>
    public Task<T> Run<T>(Func<T> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _jobs.Add(() =>
        {
            try
            {
                result.SetResult(job());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }

    /// <summary>Runs the queued jobs to the end and stops the thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _jobs.CompleteAdding();
        _thread.Join();
        _jobs.Dispose();
    }

    private void Loop(TaskCompletionSource started)
    {
        IDisposable threads, noGrad;
        try
        {
            threads = TorchRuntime.ThreadsForThisThread(Threads);
            noGrad = Autograd.NoGrad();
        }
        catch (Exception e)
        {
            started.SetException(e);
            return;
        }
        started.SetResult();
        using (threads)
        using (noGrad)
        {
            foreach (var job in _jobs.GetConsumingEnumerable())
            {
                job();
            }
        }
    }
}
