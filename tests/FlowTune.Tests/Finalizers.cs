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
}
