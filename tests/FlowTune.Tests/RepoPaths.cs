namespace FlowTune.Tests;

/// <summary>Paths inside the repository the tests run from (found by walking up to <c>FlowTune.slnx</c>).</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds FlowTune.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path relative to the repository root, e.g. <c>configs/shapes-grpo.yaml</c>.</summary>
    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir, "FlowTune.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? throw new InvalidOperationException($"repository root (a folder with FlowTune.slnx) not found above {AppContext.BaseDirectory}");
    }
}
