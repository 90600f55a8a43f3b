using System.CommandLine;
using FlowTune.Distributed;

namespace FlowTune.Cli.Launch;

/// <summary>
/// The options of commands that run data-parallel (<c>pretrain</c>, <c>train</c>, <c>compare</c>, <c>dist check</c>): <c>--nproc</c> starts that many
/// local ranks (<see cref="LocalLauncher"/>); a process started by torchrun or any launcher that sets RANK,
/// WORLD_SIZE, MASTER_ADDR and MASTER_PORT joins that job instead. GLOO_SOCKET_IFNAME picks Gloo's network
/// interface as in PyTorch.
/// </summary>
public sealed class DistributedOptions
{
    /// <summary>Local ranks to start (1 = this process alone, unless a launcher's variables say otherwise).</summary>
    public Option<int> Nproc { get; } = new("--nproc")
    {
        Description = "Run as N data-parallel processes on this machine (Gloo over loopback). Processes started by torchrun or Slurm read RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT instead.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Bound of the rendezvous and of every collective.</summary>
    public Option<double> Timeout { get; } = new("--dist-timeout")
    {
        Description = "Seconds a rank waits for the others (rendezvous, every collective) before it stops with an error naming the lost rank.",
        DefaultValueFactory = _ => 600,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Nproc);
        command.Options.Add(Timeout);
    }

    /// <summary>With <c>--nproc N</c> (N &gt; 1) in a process no launcher started: runs the command as N ranks and returns their exit code; else null.</summary>
    public int? LaunchIfAsked(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var n = parse.GetValue(Nproc);
        if (n < 1)
        {
            throw new ArgumentException($"--nproc must be >= 1, got {n}");
        }
        return LocalLauncher.ShouldLaunch(n) ? LocalLauncher.Run(n, parse.Tokens.Select(t => t.Value)) : null;
    }

    /// <summary>Joins the job this process belongs to (a world of one when none).</summary>
    public DataParallel Join(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var seconds = parse.GetValue(Timeout);
        if (!(seconds > 0))
        {
            throw new ArgumentException($"--dist-timeout must be > 0 seconds, got {seconds}");
        }
        var launch = LaunchEnvironment.FromProcess();
        var parallel = DataParallel.Join(launch, TimeSpan.FromSeconds(seconds), Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME") is { Length: > 0 } i ? i : null);
        if (launch is not null && parallel.IsMain)
        {
            Console.WriteLine($"joined a job of {parallel.Size} ranks through {launch.MasterAddress}:{launch.MasterPort}");
        }
        return parallel;
    }
}
