using FlowTune.Rl.Comparison;

namespace FlowTune.Tests.Rl;

public sealed class ComparisonReportTests
{
    private static ComparisonRun Run(string config, int seed, params double[] accuracy) =>
        new(config, seed, accuracy.Select((a, i) => new CurvePoint(i * 10, i * 960L, i * 20L, i * 100.0, a, a)).ToList());

    [Fact]
    public void Should_MeasureStepsToTheReferenceFinalAccuracy_When_Tabulating()
    {
        // Given: the reference ends at 0.6 after 60 steps; the variant reaches 0.6 at 20 steps
        var runs = new List<ComparisonRun>
        {
            Run("grpo", 1, 0.4, 0.5, 0.55, 0.6),
            Run("grpo", 2, 0.4, 0.5, 0.55, 0.6),
            Run("superflow", 1, 0.4, 0.65, 0.7, 0.7),
            Run("superflow", 2, 0.4, 0.6, 0.7, 0.75),
        };

        // When
        var table = ComparisonReport.Table(runs);
        var html = ComparisonReport.Html(runs);

        // Then
        Assert.Contains("| grpo | 2 | 60.0 % ± 0.0 % | 60 | 100 % |", table, StringComparison.Ordinal);
        Assert.Contains("| superflow | 2 | 72.5 % ± 3.5 % | 20 | 33 % |", table, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("superflow", html, StringComparison.Ordinal);
    }
}
