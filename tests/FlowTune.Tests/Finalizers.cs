using FlowTune.Torch;

namespace FlowTune.Tests;

/// <summary>Lets the finalizers of unreachable tensors run, so live-tensor counts can be compared.</summary>
internal static class Finalizers
{
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// <see cref="Tensor.LiveCount"/> once the finalizers have run. Take both the baseline and the later count this way:
    /// a tensor another test left unreachable is otherwise freed by the finalizer thread at any moment in between.
    /// </summary>
    public static long LiveTensors()
    {
        Settle();
        return Tensor.LiveCount;
    }
}
