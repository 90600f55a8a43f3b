using System.Runtime.InteropServices;

namespace FlowTune.Interop;

/// <summary>Mirror of the C struct <c>ft_value</c>: one boxed operator argument or result.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FtValue
{
    public int Tag;
    public int Aux;
    public long I;
    public double D;
    public IntPtr P;
}

/// <summary>Tags of <see cref="FtValue"/> (the FT_* enum of flowtune.h).</summary>
internal static class FtTag
{
    public const int None = 0;
    public const int Tensor = 1;
    public const int Int = 2;
    public const int Double = 3;
    public const int Bool = 4;
    public const int IntList = 5;
    public const int DoubleList = 6;
    public const int TensorList = 7;
    public const int String = 8;
    public const int Device = 9;
    public const int Generator = 10;
    public const int Default = 11;
    public const int BoolList = 12;
}
