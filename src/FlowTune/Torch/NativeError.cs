using System.Runtime.InteropServices;
using FlowTune.Interop;

namespace FlowTune.Torch;

/// <summary>
/// Turns the shim's status codes into <see cref="TorchException"/>s carrying libtorch's message. It lives with the
/// tensors rather than in Interop so that Interop (imports, loading) depends on nothing above it.
/// </summary>
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
