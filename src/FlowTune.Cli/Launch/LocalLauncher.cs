using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FlowTune.Distributed;

namespace FlowTune.Cli.Launch;

/// <summary>
/// <c>--nproc N</c>: starts N copies of this command on this machine as ranks of one job (torchrun's variables
/// point them at a TCPStore on a free loopback port), forwards their output (rank 0's as is, the others' prefixed
/// with <c>[rank r]</c>), and returns the first non-zero exit code. When a rank fails, the others are given
/// <see cref="Grace"/> to notice (their collectives fail and name the lost rank) and are then killed.
/// </summary>
public static class LocalLauncher
{
    /// <summary>How long the other ranks may run on after one has failed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    /// <summary>Whether this process should launch workers: <c>--nproc</c> above 1 and not itself a launched rank.</summary>
    public static bool ShouldLaunch(int nproc) => nproc > 1 && LaunchEnvironment.FromProcess() is null;

    /// <summary>Runs <paramref name="args"/> (this command line; <c>--nproc</c> is dropped) as <paramref name="nproc"/> ranks.</summary>
    public static int Run(int nproc, IEnumerable<string> args)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nproc, 1);
        var arguments = WithoutNproc(args).ToList();
        var port = FreePort();
        Console.WriteLine($"launching {nproc} ranks on 127.0.0.1:{port}: flowtune {string.Join(' ', arguments)}");
        var processes = Enumerable.Range(0, nproc).Select(rank => Start(new LaunchEnvironment(rank, nproc, rank, "127.0.0.1", port), arguments)).ToList();
        var failedAt = (DateTime?)null;
        var code = 0;
        while (processes.Any(p => !p.HasExited))
        {
            foreach (var (p, rank) in processes.Select((p, r) => (p, r)))
            {
                if (p.HasExited && p.ExitCode != 0 && code == 0)
                {
                    code = p.ExitCode;
                    failedAt = DateTime.UtcNow;
                    Console.Error.WriteLine($"rank {rank} exited with code {p.ExitCode}; waiting up to {Grace.TotalSeconds:F0} s for the others");
                }
            }
            if (failedAt is { } t && DateTime.UtcNow - t > Grace)
            {
                foreach (var p in processes.Where(p => !p.HasExited))
                {
                    p.Kill(entireProcessTree: true);
                }
            }
            Thread.Sleep(100);
        }
        foreach (var p in processes)
        {
            p.WaitForExit();
            code = code != 0 ? code : p.ExitCode;
            p.Dispose();
        }
        return code;
    }

    private static Process Start(LaunchEnvironment launch, IReadOnlyList<string> arguments)
    {
        var (file, prefix) = SelfCommand();
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = launch.Rank != 0, RedirectStandardError = launch.Rank != 0 };
        foreach (var a in prefix.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (name, value) in launch.ToVariables())
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start rank {launch.Rank}: {file}");
        if (launch.Rank != 0)
        {
            process.OutputDataReceived += (_, e) => Forward(Console.Out, launch.Rank, e.Data);
            process.ErrorDataReceived += (_, e) => Forward(Console.Error, launch.Rank, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }

    private static void Forward(TextWriter writer, int rank, string? line)
    {
        if (line is not null)
        {
            writer.WriteLine($"[rank {rank}] {line}");
        }
    }

    /// <summary>How to start this program again: the apphost, or <c>dotnet FlowTune.Cli.dll</c>.</summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path to start the ranks");
        var entry = Environment.GetCommandLineArgs()[0];
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? (host, [entry])
            : (host, []);
    }

    /// <summary><paramref name="args"/> without <c>--nproc N</c> / <c>--nproc=N</c>.</summary>
    public static IEnumerable<string> WithoutNproc(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            if (e.Current == "--nproc")
            {
                e.MoveNext();
                continue;
            }
            if (!e.Current.StartsWith("--nproc=", StringComparison.Ordinal))
            {
                yield return e.Current;
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
