using System.Globalization;

namespace FlowTune.Distributed;

/// <summary>
/// Where this process sits in a data-parallel job, read from the variables torchrun (and Slurm or Kubernetes
/// wrappers that imitate it) set: <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>MASTER_ADDR</c>,
/// <c>MASTER_PORT</c>. Rank 0 hosts the rendezvous store at MASTER_ADDR:MASTER_PORT; every rank connects to it.
/// </summary>
/// <param name="Rank">This process's global rank, 0 to <paramref name="WorldSize"/> - 1.</param>
/// <param name="WorldSize">The number of processes in the job, on all machines.</param>
/// <param name="LocalRank">This process's index on its machine (picks the GPU with <c>--device cuda</c>).</param>
/// <param name="MasterAddress">Host name or address of rank 0's machine, reachable from every machine.</param>
/// <param name="MasterPort">TCP port of the rendezvous store on rank 0's machine.</param>
public sealed record LaunchEnvironment(int Rank, int WorldSize, int LocalRank, string MasterAddress, int MasterPort)
{
    /// <summary>Names of the variables, as torchrun sets them.</summary>
    public const string RankVariable = "RANK", WorldSizeVariable = "WORLD_SIZE", LocalRankVariable = "LOCAL_RANK",
        MasterAddressVariable = "MASTER_ADDR", MasterPortVariable = "MASTER_PORT";

    /// <summary>
    /// The launch this process belongs to, or null when it runs alone (WORLD_SIZE unset or 1). Throws naming every
    /// missing or malformed variable.
    /// </summary>
    public static LaunchEnvironment? Read(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var worldText = variable(WorldSizeVariable);
        if (string.IsNullOrEmpty(worldText) || worldText == "1")
        {
            return null;
        }
        var problems = new List<string>();
        var world = Integer(variable, WorldSizeVariable, 1, 65536, problems, required: true);
        var rank = Integer(variable, RankVariable, 0, Math.Max(0, world - 1), problems, required: true);
        var local = Integer(variable, LocalRankVariable, 0, Math.Max(0, world - 1), problems, required: false);
        var port = Integer(variable, MasterPortVariable, 1, 65535, problems, required: true);
        var address = variable(MasterAddressVariable);
        if (string.IsNullOrWhiteSpace(address))
        {
            problems.Add($"{MasterAddressVariable} is not set (the address of rank 0's machine)");
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException($"distributed launch (WORLD_SIZE={worldText}): {string.Join("; ", problems)}");
        }
        return new LaunchEnvironment(rank, world, local, address!, port);
    }

    /// <summary>The process's own environment (<see cref="Environment.GetEnvironmentVariable(string)"/>).</summary>
    public static LaunchEnvironment? FromProcess() => Read(Environment.GetEnvironmentVariable);

    /// <summary>The variables that put a child process in this place of the job.</summary>
    public IReadOnlyDictionary<string, string> ToVariables() => new Dictionary<string, string>
    {
        [RankVariable] = Rank.ToString(CultureInfo.InvariantCulture),
        [WorldSizeVariable] = WorldSize.ToString(CultureInfo.InvariantCulture),
        [LocalRankVariable] = LocalRank.ToString(CultureInfo.InvariantCulture),
        [MasterAddressVariable] = MasterAddress,
        [MasterPortVariable] = MasterPort.ToString(CultureInfo.InvariantCulture),
    };

    private static int Integer(Func<string, string?> variable, string name, int min, int max, List<string> problems, bool required)
    {
        var text = variable(name);
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                problems.Add($"{name} is not set");
            }
            return 0;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{name} must be an integer in [{min}, {max}], got '{text}'");
            return 0;
        }
        return value;
    }
}
