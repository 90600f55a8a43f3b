using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>2-D convolution with a square kernel. Weight [out, in, k, k]; PyTorch's default init U(±1/sqrt(in·k²)).</summary>
public sealed class Conv2d : Module
{
    private readonly long _stride;
    private readonly long _padding;

    /// <summary>Creates the layer; padding defaults to "same" for odd kernels at stride 1.</summary>
    public Conv2d(long inChannels, long outChannels, long kernel, Generator generator, long stride = 1, long? padding = null, bool bias = true, bool zeroInit = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _stride = stride;
        _padding = padding ?? kernel / 2;
        var bound = 1.0 / Math.Sqrt(inChannels * kernel * kernel);
        long[] shape = [outChannels, inChannels, kernel, kernel];
        Weight = RegisterParameter("weight", zeroInit ? Init.Zeros(shape) : Init.Uniform(shape, bound, generator));
        if (bias)
        {
            Bias = RegisterParameter("bias", zeroInit ? Init.Zeros([outChannels]) : Init.Uniform([outChannels], bound, generator));
        }
    }

    /// <summary>[out, in, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>[B, in, H, W] → [B, out, H', W'].</summary>
    public Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias, _stride, _padding);
}
