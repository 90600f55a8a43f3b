using FlowTune.Torch;

namespace FlowTune.Tests;

/// <summary>A fact that needs a CUDA device; skipped (with the reason) on machines without one.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when libtorch sees no CUDA device.</summary>
    public GpuFactAttribute()
    {
        if (TorchRuntime.CudaDeviceCount == 0)
        {
            Skip = "needs a CUDA device (libtorch reports none on this machine)";
        }
    }
}
