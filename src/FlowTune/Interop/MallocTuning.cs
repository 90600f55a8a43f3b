using System.Runtime.InteropServices;

namespace FlowTune.Interop;

/// <summary>
/// Keeps freed tensor memory in glibc's heap instead of returning it to the kernel. By default glibc serves large
/// blocks (above a threshold that adapts, starting at 128 KiB) with mmap and gives the heap's free top back once it
/// exceeds twice that; a training step allocates and frees many 1-5 MB tensors, so the same pages are unmapped and
/// faulted in (and zeroed by the kernel) again and again. With the mmap threshold at glibc's maximum (32 MiB) and
/// trimming off, a batch-32 <c>unet-small</c> forward takes about a fifth of the page faults and half the system
/// time; the process keeps its peak heap (what an epoch needs again next epoch). Results are unchanged (only where
/// the memory comes from). Skipped when the user set any glibc malloc variable (<c>MALLOC_*_</c> or
/// <c>GLIBC_TUNABLES</c> with <c>glibc.malloc</c>).
/// </summary>
internal static partial class MallocTuning
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    /// <summary>The mmap threshold set (bytes): glibc's largest allowed value on 64-bit.</summary>
    public const int MmapThreshold = 32 << 20;

    /// <summary>The trim threshold set: -1, never give the heap's free top back.</summary>
    public const int TrimThreshold = -1;

    /// <summary>Applies the thresholds unless the user tuned malloc; returns a description of what is in force.</summary>
    public static string Apply()
    {
        if (UserTuned())
        {
            return "user's";
        }
        if (!OperatingSystem.IsLinux())
        {
            return "system default";
        }
        try
        {
            if (mallopt(MMmapThreshold, MmapThreshold) == 1 && mallopt(MTrimThreshold, TrimThreshold) == 1)
            {
                return $"mmap {MmapThreshold >> 20} MiB, no trim";
            }
        }
        catch (DllNotFoundException)
        {
            // not glibc (e.g. musl): its allocator has no such knobs
        }
        catch (EntryPointNotFoundException)
        {
        }
        return "system default";
    }

    private static bool UserTuned()
    {
        foreach (var key in Environment.GetEnvironmentVariables().Keys)
        {
            if (key is string name && name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'))
            {
                return true;
            }
        }
        return Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc", StringComparison.Ordinal) == true;
    }

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}
