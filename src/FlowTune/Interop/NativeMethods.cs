using System.Runtime.InteropServices;

namespace FlowTune.Interop;

/// <summary>Every import of the native shim (native/include/flowtune.h), one line each. Only Interop sees IntPtr.</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "flowtune_native";

    [LibraryImport(Library)] internal static partial IntPtr ft_last_error();
    [LibraryImport(Library)] internal static partial int ft_version(byte* buf, int cap);
    [LibraryImport(Library)] internal static partial int ft_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial int ft_get_num_threads(out int n);
    [LibraryImport(Library)] internal static partial int ft_cuda_device_count(out int n);
    [LibraryImport(Library)] internal static partial long ft_live_tensors();
    [LibraryImport(Library)] internal static partial int ft_grad_mode(int enabled, out int previous);
    [LibraryImport(Library)] internal static partial int ft_autocast_enter(int deviceType, int dtype, out int previousEnabled, out int previousDtype);
    [LibraryImport(Library)] internal static partial int ft_autocast_exit(int deviceType, int previousEnabled, int previousDtype);
    [LibraryImport(Library)] internal static partial int ft_autocast_enabled(int deviceType, out int enabled);

    [LibraryImport(Library)] internal static partial int ft_tensor_free(IntPtr t);
    [LibraryImport(Library)] internal static partial int ft_tensor_share(IntPtr t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ft_tensor_from_data(void* data, long nbytes, int dtype, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ft_tensor_to_data(IntPtr t, void* dst, long nbytes);
    [LibraryImport(Library)] internal static partial int ft_tensor_info(IntPtr t, long* dims, int cap, out int ndim, out int dtype, out int deviceType, out int deviceIndex);
    [LibraryImport(Library)] internal static partial int ft_tensor_requires_grad(IntPtr t, int set, out int result);
    [LibraryImport(Library)] internal static partial int ft_tensor_grad(IntPtr t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ft_tensor_clear_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial int ft_tensor_backward(IntPtr t, IntPtr grad, int retainGraph, int createGraph);
    [LibraryImport(Library)] internal static partial int ft_tensor_is_leaf(IntPtr t, out int result);
    [LibraryImport(Library)] internal static partial int ft_tensor_set_data(IntPtr t, IntPtr source);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_op_find(string name, string overload, out IntPtr op);
    [LibraryImport(Library)] internal static partial int ft_op_schema(IntPtr op, byte* buf, int cap);
    [LibraryImport(Library)] internal static partial int ft_op_call(IntPtr op, FtValue* args, int nargs, FtValue* outs, int cap, out int nouts);

    [LibraryImport(Library)] internal static partial int ft_generator_new(ulong seed, out IntPtr generator);
    [LibraryImport(Library)] internal static partial int ft_generator_free(IntPtr generator);
    [LibraryImport(Library)] internal static partial int ft_generator_get_state(IntPtr generator, out IntPtr state);
    [LibraryImport(Library)] internal static partial int ft_generator_set_state(IntPtr generator, IntPtr state);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_tcp(string host, int port, int worldSize, int isMaster, long timeoutMs, out IntPtr store);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_file(string path, int worldSize, long timeoutMs, out IntPtr store);
    [LibraryImport(Library)] internal static partial int ft_store_free(IntPtr store);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_set(IntPtr store, string key, byte* value, long length);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_get(IntPtr store, string key, byte* value, long capacity, out long length);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_check(IntPtr store, string key, out int present);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_store_add(IntPtr store, string key, long delta, out long value);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int ft_group_gloo(IntPtr store, int rank, int size, string? iface, string? hostname, long timeoutMs, out IntPtr group);
    [LibraryImport(Library)] internal static partial int ft_group_free(IntPtr group);
    [LibraryImport(Library)] internal static partial int ft_all_reduce(IntPtr group, IntPtr* tensors, int n, int op, long timeoutMs);
    [LibraryImport(Library)] internal static partial int ft_broadcast(IntPtr group, IntPtr tensor, int root, long timeoutMs);
    [LibraryImport(Library)] internal static partial int ft_all_gather(IntPtr group, IntPtr tensor, long timeoutMs, IntPtr* outputs);
    [LibraryImport(Library)] internal static partial int ft_barrier(IntPtr group, long timeoutMs);
    [LibraryImport(Library)] internal static partial int ft_manual_seed(ulong seed);
}
