using FlowTune.Worlds;

namespace FlowTune.Tests.Worlds;

public class GenEvalMetadataTests
{
    [Fact]
    public void Should_WriteGenEvalLayout_When_FormattingACountingEntry()
    {
        // Given
        GenEvalEntry entry = GenEvalPrompts.Counting("ring", 3);

        // When
        string line = GenEvalMetadata.ToJsonLine(entry);

        // Then
        Assert.Equal("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\", \"count\": 3}], \"exclude\": [{\"class\": \"ring\", \"count\": 4}], \"prompt\": \"a photo of three rings\"}", line);
    }

    [Fact]
    public void Should_RoundTripEveryTag_When_WrittenAndParsed()
    {
        // Given
        GenEvalEntry[] entries =
        [
            GenEvalPrompts.SingleObject("circle"),
            GenEvalPrompts.TwoObject("circle", "square"),
            GenEvalPrompts.Counting("cross", 2),
            GenEvalPrompts.Colors("triangle", "blue"),
            GenEvalPrompts.Position("cross", PositionRelation.LeftOf, "ring"),
            GenEvalPrompts.ColorAttr("circle", "red", "square", "green"),
        ];

        // When
        IReadOnlyList<GenEvalEntry> parsed = GenEvalMetadata.ParseLines(entries.Select(GenEvalMetadata.ToJsonLine));

        // Then
        Assert.Equal(entries, parsed);
    }

    [Fact]
    public void Should_ParseGenEvalsOwnPositionLine_When_ReferenceIsTheFirstClause()
    {
        // Given: a line as GenEval's create_prompts.py writes it ("A left of B": B first, A second).
        const string line = "{\"tag\": \"position\", \"include\": [{\"class\": \"bench\", \"count\": 1}, {\"class\": \"train\", \"count\": 1, \"position\": [\"right of\", 0]}], \"prompt\": \"a photo of a train right of a bench\"}";

        // When
        GenEvalEntry entry = GenEvalMetadata.ParseLine(line, 1);

        // Then: unknown class names are accepted.
        Assert.Equal(GenEvalTag.Position, entry.Tag);
        Assert.Equal("bench", entry.Include[0].ClassName);
        Assert.Equal(new PositionClause(PositionRelation.RightOf, 0), entry.Include[1].Position);
        Assert.Empty(entry.Exclude);
    }

    [Theory]
    [InlineData("{\"tag\": \"colors\", ", "invalid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"include\": [{\"class\": \"ring\", \"count\": 1}], \"prompt\": \"p\"}", "missing \"tag\"")]
    [InlineData("{\"tag\": \"shapes\", \"include\": [{\"class\": \"ring\", \"count\": 1}], \"prompt\": \"p\"}", "unknown tag \"shapes\"")]
    [InlineData("{\"tag\": \"colors\", \"include\": [{\"class\": \"ring\", \"count\": 1}]}", "missing \"prompt\"")]
    [InlineData("{\"tag\": \"colors\", \"prompt\": \"p\"}", "missing \"include\"")]
    [InlineData("{\"tag\": \"colors\", \"include\": [], \"prompt\": \"p\"}", "non-empty array")]
    [InlineData("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\", \"count\": 0}], \"prompt\": \"p\"}", "count 0 is not a positive integer")]
    [InlineData("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\", \"count\": 1.5}], \"prompt\": \"p\"}", "count 1.5 is not a positive integer")]
    [InlineData("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\", \"count\": \"2\"}], \"prompt\": \"p\"}", "is not a positive integer")]
    [InlineData("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\"}], \"prompt\": \"p\"}", "missing \"count\"")]
    [InlineData("{\"tag\": \"position\", \"include\": [{\"class\": \"a\", \"count\": 1}, {\"class\": \"b\", \"count\": 1, \"position\": [\"near\", 0]}], \"prompt\": \"p\"}", "unknown relation \"near\"")]
    [InlineData("{\"tag\": \"position\", \"include\": [{\"class\": \"a\", \"count\": 1}, {\"class\": \"b\", \"count\": 1, \"position\": [\"above\", 1]}], \"prompt\": \"p\"}", "reference index 1 is out of range")]
    [InlineData("{\"tag\": \"colors\", \"include\": [{\"class\": \"ring\", \"count\": 1, \"colour\": \"red\"}], \"prompt\": \"p\"}", "unknown key \"colour\"")]
    [InlineData("{\"tag\": \"counting\", \"include\": [{\"class\": \"ring\", \"count\": 2}], \"exclude\": [{\"class\": \"ring\", \"count\": -3}], \"prompt\": \"p\"}", "exclude[0].count -3")]
    public void Should_NameLineAndProblem_When_LineIsMalformed(string line, string problem)
    {
        // Given
        string[] lines = [GenEvalMetadata.ToJsonLine(GenEvalPrompts.SingleObject("ring")), string.Empty, line];

        // When
        var error = Assert.Throws<GenEvalMetadataException>(() => GenEvalMetadata.ParseLines(lines));

        // Then
        Assert.Equal(3, error.LineNumber);
        Assert.StartsWith("GenEval metadata line 3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_SkipBlankLinesOnly_When_ParsingAFile()
    {
        // Given
        string path = Path.Combine(Path.GetTempPath(), $"flowtune-meta-{Guid.NewGuid():N}.jsonl");
        GenEvalMetadata.WriteFile(path, [GenEvalPrompts.SingleObject("circle"), GenEvalPrompts.Colors("ring", "orange")]);
        File.AppendAllText(path, "\n   \n");

        // When
        IReadOnlyList<GenEvalEntry> entries = GenEvalMetadata.ParseFile(path);

        // Then
        Assert.Equal(2, entries.Count);
        Assert.Equal("a photo of an orange ring", entries[1].Prompt);
        File.Delete(path);
    }
}
