namespace FlowTune.Tests.Architecture;

/// <summary>The checker on synthetic sources: it must catch a forbidden edge in every form C# can write it.</summary>
public sealed class LayerCheckerTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Table = new Dictionary<string, IReadOnlySet<string>>
    {
        ["Low"] = new HashSet<string>(),
        ["Mid"] = new HashSet<string> { "Low" },
        ["High"] = new HashSet<string> { "Low", "Mid" },
    };

    private static IReadOnlyList<string> Check(string source) => LayerChecker.Violations([("Low/File.cs", source)], Table);

    [Theory]
    [InlineData("using FlowTune.Mid;\nnamespace FlowTune.Low;\nclass A { }")]
    [InlineData("using static FlowTune.Mid.Helpers;\nnamespace FlowTune.Low;\nclass A { }")]
    [InlineData("using M = FlowTune.Mid.Deep;\nnamespace FlowTune.Low;\nclass A { }")]
    [InlineData("global using FlowTune.High;\nnamespace FlowTune.Low;\nclass A { }")]
    [InlineData("namespace FlowTune.Low;\nclass A { FlowTune.Mid.T? t; }")]
    [InlineData("namespace FlowTune.Low;\nclass A { global::FlowTune.Mid.T? t; }")]
    [InlineData("namespace FlowTune.Low;\nclass A { Mid.T? t; }")]
    [InlineData("namespace FlowTune.Low.Sub;\nclass A { object F() => new High.Deep.T(); }")]
    [InlineData("namespace FlowTune.Low;\nclass A { string S(int x) => $\"value {Mid.T.Format(x):F2} done\"; }")]
    [InlineData("namespace FlowTune.Low\n{\n    class A : Mid.Base { }\n}")]
    public void Should_ReportTheEdge_When_ALowLayerNamesAHigherOne(string source)
    {
        // When
        var violations = Check(source);

        // Then
        var violation = Assert.Single(violations);
        Assert.Matches(@"^Low/File\.cs:\d+: Low → (Mid|High) ", violation);
    }

    [Fact]
    public void Should_GiveTheLineOfTheReference_When_Reporting()
    {
        // When
        var violations = Check("namespace FlowTune.Low;\n\nclass A\n{\n    Mid.T? t;\n}");

        // Then
        Assert.Equal(["Low/File.cs:5: Low → Mid (Mid.)"], violations);
    }

    [Theory]
    [InlineData("namespace FlowTune.Low;\n// uses FlowTune.Mid.T and Mid.T\nclass A { }")]
    [InlineData("namespace FlowTune.Low;\n/// <see cref=\"T\"/> like FlowTune.High\n/* Mid.T */ class A { }")]
    [InlineData("namespace FlowTune.Low;\nclass A { string s = \"FlowTune.Mid.T and Mid.T\"; string v = @\"Mid.\"\"T\"\" High.T\"; }")]
    [InlineData("namespace FlowTune.Low;\nclass A { string S(int x) => $\"{x} Mid.T {{Mid.T}}\"; char q = '\"'; string r = \"Mid.T\"; }")]
    [InlineData("namespace FlowTune.Low;\nclass A { System.IO.Stream? s; int n = other.Mid.Count; }")]
    [InlineData("namespace FlowTune.Low;\nclass A { MidSize.T? t; Low.T? u; }")]
    public void Should_IgnoreCommentsLiteralsAndOtherNamespaces_When_TheyOnlyLookLikeReferences(string source)
    {
        // When / Then
        Assert.Empty(Check(source));
    }

    [Fact]
    public void Should_AcceptAllowedEdges_When_AHighLayerNamesLowerOnes()
    {
        // When
        var violations = LayerChecker.Violations([("High/File.cs", "using FlowTune.Low;\nusing FlowTune.Mid.Deep;\nnamespace FlowTune.High;\nclass A { Low.T? t; FlowTune.Mid.U? u; }")], Table);

        // Then
        Assert.Empty(violations);
    }

    [Theory]
    [InlineData("using FlowTune.Cli;\nnamespace FlowTune.Low;\nclass A { }", "(not a layer of the table)")]
    [InlineData("namespace Elsewhere;\nclass A { }", "namespace missing")]
    [InlineData("namespace FlowTune.Unknown;\nclass A { }", "namespace FlowTune.Unknown is not a layer")]
    public void Should_Report_When_ALayerIsNotInTheTable(string source, string expected)
    {
        // When
        var violation = Assert.Single(Check(source));

        // Then
        Assert.Contains(expected, violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_FindTheCycle_When_TwoLayersAllowEachOther()
    {
        // Given: the loop Interop ↔ Torch had before NativeError moved
        var table = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Interop"] = new HashSet<string> { "Torch" },
            ["Torch"] = new HashSet<string> { "Interop" },
            ["Nn"] = new HashSet<string> { "Torch" },
        };

        // When / Then
        Assert.Equal("Interop → Torch → Interop", LayerChecker.Cycle(table));
        Assert.Null(LayerChecker.Cycle(Table));
    }

    [Fact]
    public void Should_KeepLengthAndLines_When_StrippingCode()
    {
        // Given
        const string source = "a // x\n/* y\n z */ b \"s\\\"t\" $\"{c}\" @\"\n\"";

        // When
        var code = CodeText.Strip(source);

        // Then
        Assert.Equal(source.Length, code.Length);
        Assert.Equal(source.Count(ch => ch == '\n'), code.Count(ch => ch == '\n'));
        Assert.Equal(["a", "b", "c"], code.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }
}
