namespace FlowTune.Tests.Architecture;

/// <summary>The library's layers point one way: every file of src/FlowTune names only the layers the table allows.</summary>
public sealed class LayerTests
{
    private static string SourceRoot() => RepoPaths.File(Path.Combine("src", "FlowTune"));

    /// <summary>Every C# file of the library (build outputs excluded), with its path relative to src/FlowTune.</summary>
    private static List<(string Path, string Source)> LibraryFiles()
    {
        var root = SourceRoot();
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(Path.Combine(root, f))))
            .ToList();
    }

    [Fact]
    public void Should_NameOnlyAllowedLayers_When_ScanningEveryLibraryFile()
    {
        // Given
        var files = LibraryFiles();

        // When
        var violations = LayerChecker.Violations(files, LayerTable.Allowed);

        // Then
        Assert.True(files.Count > 100, $"only {files.Count} files found under {SourceRoot()}");
        Assert.True(violations.Count == 0, "forbidden references:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Should_PutEveryFileInTheLayerOfItsFolder_When_ReadingNamespaces()
    {
        // When: a file's top folder and its namespace's layer
        var mismatched = LibraryFiles()
            .Where(f => f.Path.Contains('/', StringComparison.Ordinal))
            .Select(f => (f.Path, Folder: f.Path[..f.Path.IndexOf('/', StringComparison.Ordinal)], Layer: LayerReferences.OwnLayer(f.Source)))
            .Where(f => f.Folder != f.Layer)
            .Select(f => $"{f.Path}: namespace layer {f.Layer ?? "(none)"}")
            .ToList();

        // Then
        Assert.Empty(mismatched);
    }

    [Fact]
    public void Should_HaveATableEntryForEveryFolder_When_ListingTheLibrary()
    {
        // When
        var folders = Directory.GetDirectories(SourceRoot()).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Order(StringComparer.Ordinal);

        // Then
        Assert.Equal(LayerTable.Allowed.Keys.Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void Should_PointOneWay_When_FollowingTheTable()
    {
        // When / Then: no layer reaches itself through the allowed edges
        Assert.Null(LayerChecker.Cycle(LayerTable.Allowed));
        Assert.All(LayerTable.Allowed.Values.SelectMany(s => s), layer => Assert.True(LayerTable.Allowed.ContainsKey(layer), $"{layer} is not a layer"));
    }
}
