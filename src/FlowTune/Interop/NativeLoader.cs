using System.Reflection;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;
using System.Text;

namespace FlowTune.Interop;

/// <summary>
/// Finds and loads the native shim, and prepares the process environment before libtorch loads.
/// </summary>
/// <remarks>
/// OpenMP and OpenBLAS read their settings from the real process environment (environ) when they load,
/// and .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not write there on Linux,
/// so the variables are set with libc's setenv, and only when the user has not set them:
/// <list type="bullet">
/// <item><c>OMP_WAIT_POLICY=PASSIVE</c> with <c>GOMP_SPINCOUNT=100000</c> (unless the user chose a wait policy):
/// an idle OpenMP worker spins about 2 ms, then sleeps. PASSIVE alone (no spin) puts a worker to sleep after every
/// op and wakes it for the next, a few µs later: a batch-32 <c>unet-small</c> forward at 2 threads took ~120 ms
/// against ~95 ms with the bounded spin (the same as ACTIVE, which spins without end and starves C# threads such as
/// the reward workers).</item>
/// <item><c>OPENBLAS_CORETYPE</c>: Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back
/// to its generic "Prescott" kernels (~5x slower matmul); we name the newest family the CPU supports.
/// A test checks matmul results against a managed reference.</item>
/// <item>glibc's malloc keeps freed tensor memory (<see cref="MallocTuning"/>).</item>
/// </list>
/// The library is searched in <c>FLOWTUNE_NATIVE_DIR</c>, then next to the application and this assembly;
/// a failure lists every path tried.
/// </remarks>
internal static partial class NativeLoader
{
    private const string FileName = "libflowtune_native.so";
    private const string SpinCount = "100000"; // libgomp busy-wait iterations before sleeping (~2 ms on a 2.6 GHz EPYC)
    private static int _prepared;

    private static int _registered;

    /// <summary>Installs the resolver for the shim (once; before the first native call).</summary>
    internal static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
        }
    }

    /// <summary>The environment this process sets for libtorch (name → value actually in force).</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentInForce { get; private set; } = new Dictionary<string, string>();

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != NativeMethods.Library)
        {
            return IntPtr.Zero;
        }
        PrepareEnvironment();
        var trace = new StringBuilder();
        foreach (var candidate in Candidates())
        {
            if (!File.Exists(candidate))
            {
                trace.AppendLine($"  {candidate}: not found");
                continue;
            }
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
            trace.AppendLine($"  {candidate}: exists but failed to load (missing libtorch? run: ldd {candidate})");
        }
        throw new DllNotFoundException(
            $"Could not load {FileName}. Build it with scripts/build-native.sh (needs libtorch-dev), " +
            $"or point FLOWTUNE_NATIVE_DIR at its folder. Tried:{Environment.NewLine}{trace}");
    }

    private static IEnumerable<string> Candidates()
    {
        var dir = Environment.GetEnvironmentVariable("FLOWTUNE_NATIVE_DIR");
        if (!string.IsNullOrEmpty(dir))
        {
            yield return Path.Combine(dir, FileName);
        }
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var here = Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(here))
        {
            yield return Path.Combine(here, FileName);
        }
    }

    /// <summary>Sets the OpenMP/OpenBLAS variables in the real process environment (once, before libtorch loads).</summary>
    internal static void PrepareEnvironment()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1)
        {
            return;
        }
        var userWaitPolicy = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"));
        var inForce = new Dictionary<string, string>
        {
            ["OMP_WAIT_POLICY"] = SetDefault("OMP_WAIT_POLICY", "PASSIVE"),
        };
        if (!userWaitPolicy || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")))
        {
            inForce["GOMP_SPINCOUNT"] = SetDefault("GOMP_SPINCOUNT", SpinCount);
        }
        var coreType = Avx512F.IsSupported ? "SkylakeX" : Avx2.IsSupported ? "Haswell" : null;
        if (coreType is not null)
        {
            inForce["OPENBLAS_CORETYPE"] = SetDefault("OPENBLAS_CORETYPE", coreType);
        }
        inForce["malloc thresholds"] = MallocTuning.Apply();
        EnvironmentInForce = inForce;
    }

    private static string SetDefault(string name, string value)
    {
        var existing = Environment.GetEnvironmentVariable(name);
        if (!string.IsNullOrEmpty(existing))
        {
            return existing;
        }
        if (setenv(name, value, 0) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed");
        }
        Environment.SetEnvironmentVariable(name, value);
        return value;
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
