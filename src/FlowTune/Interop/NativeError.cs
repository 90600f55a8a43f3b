using System.Runtime.InteropServices;

using FlowTune.Torch;

namespace FlowTune.Interop;

/// <summary>Turns the shim's status codes into <see cref="TorchException"/>s carrying libtorch's message.</summary>
internal static class NativeError
{
    /// <summary>Throws when <paramref name="status"/> is non-zero. Call right after the native call, on the same thread.</summary>
    public static void Check(int status)
    {
        if (status != 0)
        {
            Throw();
        }
    }

    private static void Throw()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.ft_last_error()) ?? "unknown native error";
        throw new TorchException(message.TrimEnd());
    }
}
