using System.Globalization;

namespace FlowTune.Training;

/// <summary>
/// Checkpoint folders <c>checkpoint_000120/</c> under a run directory, written atomically (a temporary folder
/// renamed when complete, so a crash never leaves a half-written checkpoint) and pruned to the newest N.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "checkpoint_";

    /// <summary>Uses <paramref name="runDirectory"/>, keeping the newest <paramref name="keepLast"/> checkpoints.</summary>
    public CheckpointStore(string runDirectory, int keepLast)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        RunDirectory = runDirectory;
        KeepLast = keepLast;
    }

    /// <summary>The run directory.</summary>
    public string RunDirectory { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int KeepLast { get; }

    /// <summary>Writes a checkpoint: <paramref name="write"/> fills the folder it is given.</summary>
    public string Save(long step, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Directory.CreateDirectory(RunDirectory);
        var final = Path.Combine(RunDirectory, Prefix + step.ToString("D6", CultureInfo.InvariantCulture));
        var tmp = final + ".tmp";
        if (Directory.Exists(tmp))
        {
            Directory.Delete(tmp, true);
        }
        Directory.CreateDirectory(tmp);
        write(tmp);
        if (Directory.Exists(final))
        {
            Directory.Delete(final, true);
        }
        Directory.Move(tmp, final);
        foreach (var old in List().SkipLast(KeepLast))
        {
            Directory.Delete(old.Path, true);
        }
        return final;
    }

    /// <summary>Complete checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List() => List(RunDirectory);

    /// <summary>The newest complete checkpoint, or null.</summary>
    public (long Step, string Path)? Latest() => List() is { Count: > 0 } all ? all[^1] : null;

    /// <summary>
    /// Resolves a --resume argument: a checkpoint folder itself, or a run directory (its newest checkpoint).
    /// </summary>
    public static (long Step, string Path) Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(path));
        if (name.StartsWith(Prefix, StringComparison.Ordinal) && TryStep(name, out var step) && Directory.Exists(path))
        {
            return (step, path);
        }
        var all = Directory.Exists(path) ? List(path) : [];
        return all.Count > 0 ? all[^1] : throw new DirectoryNotFoundException($"no checkpoint_NNNNNN folder found in '{path}'");
    }

    private static List<(long Step, string Path)> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }
        return Directory.GetDirectories(directory, Prefix + "*")
            .Select(d => (Name: System.IO.Path.GetFileName(d), Path: d))
            .Where(d => !d.Name.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(d => (Ok: TryStep(d.Name, out var s), Step: s, d.Path))
            .Where(d => d.Ok)
            .OrderBy(d => d.Step)
            .Select(d => (d.Step, d.Path))
            .ToList();
    }

    private static bool TryStep(string name, out long step) =>
        long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out step);
}
