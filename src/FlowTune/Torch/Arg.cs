using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// One argument of an aten operator call (see <see cref="AtenOp"/>). Implicit conversions keep call sites short:
/// <c>Ops.Add.Call(a, b, 1)</c>. Holds managed references so the tensors stay alive during the call.
/// </summary>
internal readonly struct Arg
{
    internal readonly int Tag;
    internal readonly int Aux;
    internal readonly long I;
    internal readonly double D;
    internal readonly object? Ref;

    private Arg(int tag, long i = 0, double d = 0, object? reference = null, int aux = 0)
    {
        Tag = tag;
        I = i;
        D = d;
        Ref = reference;
        Aux = aux;
    }

    /// <summary>Use the schema's default value for this argument.</summary>
    public static Arg Default => new(FtTag.Default);

    /// <summary>None (an absent optional).</summary>
    public static Arg None => new(FtTag.None);

    public static implicit operator Arg(Tensor? t) => t is null ? None : new Arg(FtTag.Tensor, reference: t);
    public static implicit operator Arg(long v) => new(FtTag.Int, i: v);
    public static implicit operator Arg(int v) => new(FtTag.Int, i: v);
    public static implicit operator Arg(double v) => new(FtTag.Double, d: v);
    public static implicit operator Arg(bool v) => new(FtTag.Bool, i: v ? 1 : 0);
    public static implicit operator Arg(long[] v) => new(FtTag.IntList, i: v.Length, reference: v);
    public static implicit operator Arg(double[] v) => new(FtTag.DoubleList, i: v.Length, reference: v);
    public static implicit operator Arg(bool[] v) => new(FtTag.BoolList, i: v.Length, reference: v);
    public static implicit operator Arg(Tensor?[] v) => new(FtTag.TensorList, i: v.Length, reference: v);
    public static implicit operator Arg(string v) => new(FtTag.String, reference: v);
    public static implicit operator Arg(DType v) => new(FtTag.Int, i: (int)v);
    public static implicit operator Arg(Device v) => new(FtTag.Device, i: (int)v.Type, aux: v.Index);
    public static implicit operator Arg(Generator? g) => g is null ? None : new Arg(FtTag.Generator, reference: g);

    /// <summary>An optional dtype: None when null.</summary>
    public static Arg Of(DType? v) => v is null ? None : (Arg)v.Value;

    /// <summary>An optional double: None when null.</summary>
    public static Arg Of(double? v) => v is null ? None : (Arg)v.Value;

    /// <summary>An optional int: None when null.</summary>
    public static Arg Of(long? v) => v is null ? None : (Arg)v.Value;
}
