using System.Runtime.InteropServices;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// A libtorch tensor. Owns one native reference, released by <see cref="Dispose"/> (or by the
/// <see cref="TensorScope"/> it was created in; the finalizer is only a safety net).
/// Math, shape, reduction and autograd members live in the other <c>Tensor.*.cs</c> files.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long _liveCount;
    private IntPtr _handle;

    private Tensor(IntPtr handle)
    {
        _handle = handle;
        Interlocked.Increment(ref _liveCount);
        TensorScope.Adopt(this);
    }

    /// <summary>Finalizer: frees a tensor that was never disposed.</summary>
    ~Tensor() => Free();

    /// <summary>Managed tensors alive (created and not yet disposed or finalized).</summary>
    public static long LiveCount => Interlocked.Read(ref _liveCount);

    internal TensorScope? Scope { get; set; }

    /// <summary>The native handle; throws once disposed.</summary>
    internal IntPtr Handle => _handle != IntPtr.Zero
        ? _handle
        : throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed");

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _handle == IntPtr.Zero;

    internal static Tensor FromOwnedHandle(IntPtr handle) =>
        handle != IntPtr.Zero ? new Tensor(handle) : throw new TorchException("libtorch returned an undefined tensor");

    /// <summary>Frees the native tensor now.</summary>
    public void Dispose()
    {
        Scope?.Release(this);
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero)
        {
            NativeMethods.ft_tensor_free(h);
            Interlocked.Decrement(ref _liveCount);
        }
    }

    /// <summary>Removes this tensor from its dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromScope()
    {
        Scope?.Release(this);
        return this;
    }

    /// <summary>A second handle to the same tensor (same storage, same autograd identity).</summary>
    public Tensor Share()
    {
        NativeError.Check(NativeMethods.ft_tensor_share(Handle, out var h));
        return new Tensor(h);
    }

    private unsafe (long[] Shape, DType DType, Device Device) Info()
    {
        var dims = stackalloc long[16];
        NativeError.Check(NativeMethods.ft_tensor_info(Handle, dims, 16, out var ndim, out var dtype, out var devType, out var devIndex));
        if (ndim > 16)
        {
            throw new NotSupportedException($"tensors with {ndim} dimensions are not supported (max 16)");
        }
        return (new Span<long>(dims, ndim).ToArray(), DTypes.FromCode(dtype), new Device((DeviceType)devType, devIndex));
    }

    /// <summary>Sizes of every dimension.</summary>
    public long[] Shape => Info().Shape;

    /// <summary>Number of dimensions.</summary>
    public int Dim => Info().Shape.Length;

    /// <summary>Element type.</summary>
    public DType DType => Info().DType;

    /// <summary>Device holding the data.</summary>
    public Device Device => Info().Device;

    /// <summary>Total number of elements.</summary>
    public long NumElements
    {
        get
        {
            long n = 1;
            foreach (var d in Shape)
            {
                n *= d;
            }
            return n;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        var d = dim < 0 ? dim + shape.Length : dim;
        if (d < 0 || d >= shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"tensor has {shape.Length} dimensions");
        }
        return shape[d];
    }

    /// <summary>Copies the elements out (row-major) as <typeparamref name="T"/>, which must match the dtype's size.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        var (shape, dtype, _) = Info();
        if (sizeof(T) != dtype.ElementSize())
        {
            throw new InvalidOperationException($"cannot read {dtype} elements as {typeof(T).Name}");
        }
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }
        var result = new T[n];
        fixed (T* p = result)
        {
            NativeError.Check(NativeMethods.ft_tensor_to_data(Handle, p, n * sizeof(T)));
        }
        return result;
    }

    /// <summary>Copies the raw bytes out (row-major, little-endian).</summary>
    public unsafe byte[] ToBytes()
    {
        var (shape, dtype, _) = Info();
        long n = dtype.ElementSize();
        foreach (var d in shape)
        {
            n *= d;
        }
        var result = new byte[n];
        fixed (byte* p = result)
        {
            NativeError.Check(NativeMethods.ft_tensor_to_data(Handle, p, n));
        }
        return result;
    }

    /// <summary>The elements as float32 (converting from any dtype).</summary>
    public float[] ToFloatArray()
    {
        if (DType == DType.Float32)
        {
            return ToArray<float>();
        }
        using var f = To(DType.Float32);
        return f.ToArray<float>();
    }

    /// <summary>The single element of a one-element tensor, as double.</summary>
    public double Item()
    {
        if (NumElements != 1)
        {
            throw new InvalidOperationException($"Item() needs exactly one element, tensor has shape [{string.Join(", ", Shape)}]");
        }
        using var d = To(DType.Float64);
        return d.ToArray<double>()[0];
    }

    /// <summary>Creates a tensor of <paramref name="dtype"/> from raw little-endian bytes, on <see cref="TorchRuntime.DefaultDevice"/>.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> data, DType dtype, params long[] shape)
    {
        TorchRuntime.EnsureInitialized();
        ArgumentNullException.ThrowIfNull(shape);
        fixed (byte* p = data)
        fixed (long* s = shape)
        {
            NativeError.Check(NativeMethods.ft_tensor_from_data(p, data.Length, (int)dtype, s, shape.Length, out var h));
            return MoveTo(new Tensor(h), null);
        }
    }

    /// <summary>Creates a tensor from managed elements (copied). The dtype follows <typeparamref name="T"/>.</summary>
    public static Tensor FromArray<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        return FromBytes(MemoryMarshal.AsBytes(data), dtype, shape);
    }

    /// <summary>The dtype matching a managed element type.</summary>
    public static DType DTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(bool) ? DType.Bool
        : typeof(T) == typeof(byte) ? DType.UInt8
        : typeof(T) == typeof(Half) ? DType.Float16
        : throw new NotSupportedException($"no dtype for {typeof(T).Name}");

    /// <inheritdoc />
    public override string ToString() => IsDisposed
        ? "Tensor(disposed)"
        : $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";
}
