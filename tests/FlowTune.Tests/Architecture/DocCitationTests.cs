using System.Text.RegularExpressions;

namespace FlowTune.Tests.Architecture;

/// <summary>The docs the code cites live in the repository, and every cited section exists.</summary>
public sealed partial class DocCitationTests
{
    /// <summary>Source, config, script, doc and readme files (build outputs excluded), relative to the repository root.</summary>
    private static List<(string Path, string Text)> CitingFiles()
    {
        var root = RepoPaths.Root;
        var files = new[] { "src", "configs", "scripts", "docs" }
            .Where(d => Directory.Exists(Path.Combine(root, d)))
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Append(Path.Combine(root, "README.md"))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)
                        || f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".sh", StringComparison.Ordinal));
        return files.Select(f => (f, File.ReadAllText(Path.Combine(root, f)))).ToList();
    }

    /// <summary>Section numbers of a markdown file's headings ("## 5. …" → 5, "### 5.4 …" → 5.4).</summary>
    internal static HashSet<string> Sections(string markdown) =>
        Heading().Matches(markdown).Select(m => m.Groups["n"].Value.TrimEnd('.')).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every section a text cites as <c>docs/ALGORITHMS.md §A</c>, <c>§A–B</c> or <c>§A.B</c>.</summary>
    internal static IEnumerable<string> Cited(string text) =>
        Citation().Matches(text).SelectMany(m => m.Groups["to"].Success ? [m.Groups["from"].Value, m.Groups["to"].Value] : new[] { m.Groups["from"].Value });

    [Fact]
    public void Should_ResolveEveryCitedSection_When_TheCodeCitesTheAlgorithms()
    {
        // Given
        var sections = Sections(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "ALGORITHMS.md")));

        // When
        var missing = CitingFiles().SelectMany(f => Cited(f.Text).Where(s => !sections.Contains(s)).Select(s => $"{f.Path}: §{s}")).ToList();

        // Then
        Assert.True(sections.Count > 10, $"only {sections.Count} sections found");
        Assert.Empty(missing);
    }

    [Fact]
    public void Should_CiteOnlyDocsInTheRepository_When_ReferringToDocs()
    {
        // When
        var outside = CitingFiles().Where(f => f.Text.Contains("../shared", StringComparison.Ordinal)).Select(f => f.Path).ToList();

        // Then
        Assert.Empty(outside);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "docs", "FORMATS.md")));
    }

    [Fact]
    public void Should_FindSectionsAndCitations_When_ParsingSyntheticText()
    {
        // Given
        const string doc = "# Title\n## 1. One\n### 1.2 Sub\n## 5. Five\ntext ## 9. not a heading\n";
        const string code = "see docs/ALGORITHMS.md §1.2 and docs/ALGORITHMS.md §1–5; not ALGORITHMS.md §7";

        // When / Then
        Assert.Equal(["1", "1.2", "5"], Sections(doc).Order(StringComparer.Ordinal));
        Assert.Equal(["1.2", "1", "5"], Cited(code));
    }

    [GeneratedRegex(@"(?m)^#{2,4}\s+(?<n>\d+(?:\.\d+)*\.?)\s")]
    private static partial Regex Heading();

    [GeneratedRegex(@"docs/ALGORITHMS\.md\s+§(?<from>\d+(?:\.\d+)*)(?:\s*[–-]\s*(?<to>\d+(?:\.\d+)*))?")]
    private static partial Regex Citation();
}
