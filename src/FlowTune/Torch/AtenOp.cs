using System.Runtime.InteropServices;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// An aten operator called by name through libtorch's dispatcher (autograd included). The handle is looked up
/// once and cached. Missing trailing arguments take the schema's defaults; <see cref="Arg.Default"/> skips one.
/// </summary>
internal sealed unsafe class AtenOp
{
    private const int MaxResults = 8;
    private const int MaxListResults = 4096;
    private readonly string _name;
    private readonly string _overload;
    private IntPtr _handle;

    public AtenOp(string name, string overload = "")
    {
        _name = name;
        _overload = overload;
    }

    /// <summary>Full name, e.g. <c>aten::add.Tensor</c>.</summary>
    public string FullName => _overload.Length == 0 ? _name : $"{_name}.{_overload}";

    private IntPtr Handle
    {
        get
        {
            if (_handle == IntPtr.Zero)
            {
                TorchRuntime.EnsureInitialized();
                NativeError.Check(NativeMethods.ft_op_find(_name, _overload, out var h));
                _handle = h;
            }
            return _handle;
        }
    }

    /// <summary>The operator's schema as libtorch prints it.</summary>
    public string Schema()
    {
        var buf = stackalloc byte[2048];
        NativeError.Check(NativeMethods.ft_op_schema(Handle, buf, 2048));
        return Marshal.PtrToStringUTF8((IntPtr)buf) ?? "";
    }

    /// <summary>Calls an operator that returns one tensor.</summary>
    public Tensor Call(params ReadOnlySpan<Arg> args)
    {
        var outs = stackalloc FtValue[MaxResults];
        var n = Invoke(args, outs, MaxResults);
        if (n != 1 || outs[0].Tag != FtTag.Tensor)
        {
            FreeAll(outs, n);
            throw new TorchException($"{FullName} returned {n} values, expected one tensor");
        }
        return Tensor.FromOwnedHandle(outs[0].P);
    }

    /// <summary>Calls an operator that returns two tensors (e.g. max along a dim).</summary>
    public (Tensor, Tensor) Call2(params ReadOnlySpan<Arg> args)
    {
        var outs = stackalloc FtValue[MaxResults];
        var n = Invoke(args, outs, MaxResults);
        if (n < 2 || outs[0].Tag != FtTag.Tensor || outs[1].Tag != FtTag.Tensor)
        {
            FreeAll(outs, n);
            throw new TorchException($"{FullName} returned {n} values, expected two tensors");
        }
        for (var k = 2; k < n; k++)
        {
            FreeOne(outs[k]);
        }
        return (Tensor.FromOwnedHandle(outs[0].P), Tensor.FromOwnedHandle(outs[1].P));
    }

    /// <summary>Calls an operator that returns a list or tuple of tensors (undefined entries become null).</summary>
    public Tensor?[] CallMany(params ReadOnlySpan<Arg> args)
    {
        var outs = (FtValue*)NativeMemory.Alloc(MaxListResults, (nuint)sizeof(FtValue));
        try
        {
            var n = Invoke(args, outs, MaxListResults);
            var result = new Tensor?[n];
            for (var k = 0; k < n; k++)
            {
                result[k] = outs[k].Tag == FtTag.Tensor && outs[k].P != IntPtr.Zero ? Tensor.FromOwnedHandle(outs[k].P) : null;
            }
            return result;
        }
        finally
        {
            NativeMemory.Free(outs);
        }
    }

    /// <summary>Calls an in-place operator and drops the returned alias of self.</summary>
    public void CallInPlace(params ReadOnlySpan<Arg> args)
    {
        var outs = stackalloc FtValue[MaxResults];
        var n = Invoke(args, outs, MaxResults);
        FreeAll(outs, n);
    }

    private int Invoke(ReadOnlySpan<Arg> args, FtValue* outs, int cap)
    {
        var handle = Handle;
        int listInts = 0, listTensors = 0, listDoubles = 0;
        foreach (ref readonly var a in args)
        {
            switch (a.Tag)
            {
                case FtTag.IntList: listInts += (int)a.I; break;
                case FtTag.BoolList: listInts += (int)a.I; break;
                case FtTag.TensorList: listTensors += (int)a.I; break;
                case FtTag.DoubleList: listDoubles += (int)a.I; break;
            }
        }
        var native = stackalloc FtValue[args.Length];
        var ints = stackalloc long[Math.Max(listInts, 1)];
        var doubles = stackalloc double[Math.Max(listDoubles, 1)];
        var tensors = stackalloc IntPtr[Math.Max(listTensors, 1)];
        List<IntPtr>? strings = null; // only string arguments need unmanaged copies; no allocation on the hot path
        try
        {
            for (var k = 0; k < args.Length; k++)
            {
                native[k] = ToNative(args[k], ref ints, ref doubles, ref tensors, ref strings);
            }
            var status = NativeMethods.ft_op_call(handle, native, args.Length, outs, cap, out var n);
            foreach (ref readonly var a in args)
            {
                GC.KeepAlive(a.Ref);
            }
            if (status != 0)
            {
                var message = Marshal.PtrToStringUTF8(NativeMethods.ft_last_error()) ?? "unknown native error";
                throw new TorchException($"{FullName}: {message.TrimEnd()}");
            }
            return n;
        }
        finally
        {
            foreach (var s in strings ?? [])
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    private static FtValue ToNative(in Arg a, ref long* ints, ref double* doubles, ref IntPtr* tensors, ref List<IntPtr>? strings)
    {
        var v = new FtValue { Tag = a.Tag, Aux = a.Aux, I = a.I, D = a.D };
        switch (a.Tag)
        {
            case FtTag.Tensor:
                v.P = ((Tensor)a.Ref!).Handle;
                break;
            case FtTag.Generator:
                v.P = ((Generator)a.Ref!).Handle;
                break;
            case FtTag.IntList:
                var longs = (long[])a.Ref!;
                longs.AsSpan().CopyTo(new Span<long>(ints, longs.Length));
                v.P = (IntPtr)ints;
                ints += longs.Length;
                break;
            case FtTag.BoolList:
                var bools = (bool[])a.Ref!;
                for (var k = 0; k < bools.Length; k++)
                {
                    ints[k] = bools[k] ? 1 : 0;
                }
                v.P = (IntPtr)ints;
                ints += bools.Length;
                break;
            case FtTag.DoubleList:
                var ds = (double[])a.Ref!;
                ds.AsSpan().CopyTo(new Span<double>(doubles, ds.Length));
                v.P = (IntPtr)doubles;
                doubles += ds.Length;
                break;
            case FtTag.TensorList:
                var ts = (Tensor?[])a.Ref!;
                for (var k = 0; k < ts.Length; k++)
                {
                    tensors[k] = ts[k]?.Handle ?? IntPtr.Zero;
                }
                v.P = (IntPtr)tensors;
                tensors += ts.Length;
                break;
            case FtTag.String:
                var p = Marshal.StringToCoTaskMemUTF8((string)a.Ref!);
                (strings ??= []).Add(p);
                v.P = p;
                break;
        }
        return v;
    }

    private static void FreeAll(FtValue* outs, int n)
    {
        for (var k = 0; k < n; k++)
        {
            FreeOne(outs[k]);
        }
    }

    private static void FreeOne(in FtValue v)
    {
        if (v.Tag == FtTag.Tensor && v.P != IntPtr.Zero)
        {
            NativeMethods.ft_tensor_free(v.P);
        }
    }

    /// <inheritdoc />
    public override string ToString() => FullName;
}
