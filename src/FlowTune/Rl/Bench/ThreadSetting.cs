using FlowTune.Torch;

namespace FlowTune.Rl.Bench;

/// <summary>How libtorch runs on the CPU during a benchmarked epoch.</summary>
/// <param name="Threads">libtorch intra-op threads (<see cref="TorchRuntime.NumThreads"/>).</param>
/// <param name="RowSplit">Whether inference batches are split into row slices, one per thread (<see cref="Torch.RowSplit"/>).</param>
public sealed record ThreadSetting(int Threads, bool RowSplit = true)
{
    /// <summary>"1 thread", "2 threads", "2 threads, no row split" (row splitting only matters above one thread).</summary>
    public string Label => (Threads == 1 ? "1 thread" : $"{Threads} threads") + (RowSplit || Threads == 1 ? "" : ", no row split");

    /// <summary>Puts the setting in force for the calling thread's libtorch work.</summary>
    public void Apply()
    {
        TorchRuntime.NumThreads = Threads;
        Torch.RowSplit.Enabled = RowSplit;
    }

    /// <summary>The setting in force now.</summary>
    public static ThreadSetting Current => new(TorchRuntime.NumThreads, Torch.RowSplit.Enabled);
}
