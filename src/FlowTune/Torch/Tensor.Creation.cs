namespace FlowTune.Torch;

/// <summary>Creation functions. Everything random takes an explicit <see cref="Generator"/>.</summary>

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Zeros.Call(shape, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Ones.Call(shape, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Full.Call(shape, value, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>An uninitialised tensor.</summary>
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Empty.Call(shape, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>Values start, start+step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Arange.Call(start, end, step, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>0, 1, ..., end-1 as int64.</summary>
    public static Tensor Arange(long end, Device? device = null) =>
        Ops.Arange.Call(0L, end, 1L, DType.Int64, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Linspace.Call(start, end, steps, dtype, Arg.None, device ?? TorchRuntime.DefaultDevice);

    /// <summary>Standard normal samples drawn from <paramref name="generator"/> (on the CPU, then moved).</summary>
    public static Tensor Randn(long[] shape, Generator generator, DType dtype = DType.Float32, Device? device = null) =>
        MoveTo(Ops.Randn.Call(shape, generator, dtype), device);

    /// <summary>Uniform [0, 1) samples drawn from <paramref name="generator"/>.</summary>
    public static Tensor Rand(long[] shape, Generator generator, DType dtype = DType.Float32, Device? device = null) =>
        MoveTo(Ops.Rand.Call(shape, generator, dtype), device);

    /// <summary>Uniform integers in [low, high) as int64.</summary>
    public static Tensor RandInt(long low, long high, long[] shape, Generator generator, Device? device = null) =>
        MoveTo(Ops.RandInt.Call(low, high, shape, generator, DType.Int64), device);

    /// <summary>A random permutation of 0..n-1 as int64.</summary>
    public static Tensor RandPerm(long n, Generator generator, Device? device = null) =>
        MoveTo(Ops.RandPerm.Call(n, generator, DType.Int64), device);

    /// <summary>Zeros with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Ops.ZerosLike.Call(like);

    /// <summary>Ones with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ops.OnesLike.Call(like);

    /// <summary>Standard normal samples shaped like <paramref name="like"/> (same dtype and device).</summary>
    public static Tensor RandnLike(Tensor like, Generator generator) => Randn(like.Shape, generator, like.DType, like.Device);

    /// <summary>Creates a tensor from managed float32 data.</summary>
    public static Tensor FromArray(float[] data, params long[] shape) => FromArray<float>(data, shape);

    /// <summary>Creates a tensor from managed float64 data.</summary>
    public static Tensor FromArray(double[] data, params long[] shape) => FromArray<double>(data, shape);

    /// <summary>Creates a tensor from managed int64 data.</summary>
    public static Tensor FromArray(long[] data, params long[] shape) => FromArray<long>(data, shape);

    /// <summary>Creates a tensor from managed bool data.</summary>
    public static Tensor FromArray(bool[] data, params long[] shape) => FromArray<bool>(data, shape);

    /// <summary>A float32 scalar (0-dimensional) tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    /// <summary>Concatenates along an existing dimension.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0) => Ops.Cat.Call(ToArgList(tensors), dim);

    /// <summary>Stacks along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0) => Ops.Stack.Call(ToArgList(tensors), dim);

    /// <summary>Elementwise choice: <paramref name="condition"/> ? <paramref name="a"/> : <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Ops.Where.Call(condition, a, b);

    private static Tensor?[] ToArgList(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var result = new Tensor?[tensors.Count];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = tensors[k];
        }
        return result;
    }

    /// <summary>Moves a freshly made CPU tensor to <paramref name="device"/> (default: <see cref="TorchRuntime.DefaultDevice"/>).</summary>
    internal static Tensor MoveTo(Tensor t, Device? device)
    {
        var target = device ?? TorchRuntime.DefaultDevice;
        if (target.Type == DeviceType.Cpu)
        {
            return t;
        }
        using (t)
        {
            return t.To(target);
        }
    }
}
