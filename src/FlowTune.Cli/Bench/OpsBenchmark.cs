using System.Diagnostics;
using System.Globalization;
using FlowTune.Torch;

namespace FlowTune.Cli.Bench;

/// <summary>
/// Figures for <c>flowtune bench ops</c>: fp32 matmul GFLOP/s through the C# API, measured in alternation with
/// the same op timed in C++ (native/bench/matmul_bench.cpp) so that the ratio is taken side by side on a noisy
/// machine; and the time of a conv2d forward + backward.
/// </summary>
public static class OpsBenchmark
{
    /// <summary>Times <c>a.Mm(b)</c> for about <paramref name="seconds"/>; returns GFLOP/s.</summary>
    public static double MatmulGflops(long n, double seconds, Generator generator)
    {
        using var scope = TensorScope.Enter();
        var a = Tensor.Randn([n, n], generator); // [n, n]
        var b = Tensor.Randn([n, n], generator); // [n, n]
        for (var w = 0; w < 3; w++)
        {
            a.Mm(b).Dispose();
        }
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            a.Mm(b).Dispose();
            iterations++;
        }
        while (clock.Elapsed.TotalSeconds < seconds);
        return 2.0 * n * n * n * iterations / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Runs the C++ reference once (one ~1 s measurement); returns GFLOP/s, or null when it is missing.</summary>
    public static double? NativeMatmulGflops(long n, int threads)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "matmul_bench");
        if (!File.Exists(exe))
        {
            return null;
        }
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("1");
        info.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {exe}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} failed with exit code {process.ExitCode}");
        }
        var line = output.Split('\n').First(l => l.StartsWith("median:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Median milliseconds of conv2d forward + backward ([B, C, H, W] input, C→C channels, 3×3).</summary>
    public static double Conv2dForwardBackwardMs(long batch, long channels, long size, int iterations, Generator generator)
    {
        using var outer = TensorScope.Enter();
        var x = Tensor.Randn([batch, channels, size, size], generator).WithRequiresGrad();  // [B, C, H, W]
        var w = (Tensor.Randn([channels, channels, 3, 3], generator) * 0.05).WithRequiresGrad(); // [C, C, 3, 3]
        var bias = Tensor.Zeros([channels]).WithRequiresGrad();
        var times = new List<double>();
        for (var k = 0; k < iterations + 2; k++)
        {
            using var scope = TensorScope.Enter();
            var clock = Stopwatch.StartNew();
            var y = F.Conv2d(x, w, bias, padding: 1); // [B, C, H, W]
            y.Square().Mean().Backward();
            clock.Stop();
            x.ClearGrad();
            w.ClearGrad();
            bias.ClearGrad();
            if (k >= 2)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        return Median(times);
    }

    /// <summary>The median of a non-empty list.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
