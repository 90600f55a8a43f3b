namespace FlowTune.Torch;

/// <summary>
/// Mixed precision as the reference trains (accelerate's <c>mixed_precision</c>): frozen weights stored in a 16-bit
/// type, forwards under <see cref="Autocast"/>, trained parameters (LoRA adapters, or the whole network as float32
/// master weights) and log-probabilities and losses in float32.
/// </summary>
public enum MixedPrecision
{
    /// <summary>Everything in float32.</summary>
    No,

    /// <summary>bfloat16 weights and autocast (CPU and CUDA).</summary>
    Bf16,

    /// <summary>float16 weights and autocast (CUDA only: CPU autocast has no float16).</summary>
    Fp16,
}

/// <summary>What a <see cref="MixedPrecision"/> setting means for tensors.</summary>
public static class MixedPrecisionExtensions
{
    /// <summary>The 16-bit dtype, or null for <see cref="MixedPrecision.No"/>.</summary>
    public static DType? ComputeType(this MixedPrecision precision) => precision switch
    {
        MixedPrecision.No => null,
        MixedPrecision.Bf16 => DType.BFloat16,
        MixedPrecision.Fp16 => DType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "expected no, bf16 or fp16"),
    };

    /// <summary>An autocast region on <paramref name="device"/>'s type, or null (nothing to undo) for <see cref="MixedPrecision.No"/>.</summary>
    public static IDisposable? Enter(this MixedPrecision precision, DeviceType device) =>
        precision.ComputeType() is { } dtype ? Autocast.Enter(device, dtype) : null;
}
