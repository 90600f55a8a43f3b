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

    [Fact]
    public void Should_ReadAccuracyAtEachMilestoneAndTheMinutesToTheReference_When_RunsAreTimeLimited()
    {
        // Given: evaluations every 5 training minutes (at 0, 5.1, 10.2, 15.3, 20.4 min; 2 updates each), three seeds of
        // the reference ending at 0.5, 0.6 and 0.55 (median 0.55), and a method that reaches 0.55 at 5.1 or 10.2 minutes
        static ComparisonRun Timed(string config, int seed, params double[] accuracy) =>
            new(config, seed, accuracy.Select((a, i) => new CurvePoint(i, i * 96L, i * 2L, i * 306.0, a, a)
            {
                Diversity = i == accuracy.Length - 1 ? 0.2 + 0.01 * seed : double.NaN,
                Tags = new Dictionary<string, double> { ["colors"] = a + 0.1 },
            }).ToList());
        var runs = new List<ComparisonRun>
        {
            Timed("grpo", 1, 0.4, 0.42, 0.45, 0.48, 0.5),
            Timed("grpo", 2, 0.4, 0.45, 0.5, 0.55, 0.6),
            Timed("grpo", 3, 0.4, 0.44, 0.47, 0.5, 0.55),
            Timed("nft", 1, 0.4, 0.6, 0.7, 0.72, 0.75),
            Timed("nft", 2, 0.4, 0.5, 0.56, 0.6, 0.65),
            Timed("nft", 3, 0.4, 0.58, 0.66, 0.7, 0.7),
        };

        // When
        var table = ComparisonReport.TimeTable(runs, [10, 20], "one run at a time");
        var html = ComparisonReport.Html(runs, byMinutes: true, table);

        // Then: at 10 min is the evaluation at 10.2 min; nft reaches 0.55 at 5.1, 10.2 and 5.1 min (median 5.1, 2 steps);
        // the reference reaches its own median in 2 of 3 seeds (at 15.3 and 20.4 min: median 17.85)
        Assert.Contains("Threshold: grpo's median final accuracy 55.0 %", table, StringComparison.Ordinal);
        Assert.Contains("| grpo | 3 | 47.0 % [45.0 %–50.0 %] | 55.0 % [50.0 %–60.0 %] | 55.0 % [50.0 %–60.0 %] | 17.9 | 7 | 2/3 | 0.220 |", table, StringComparison.Ordinal);
        Assert.Contains("| nft | 3 | 66.0 % [56.0 %–70.0 %] | 70.0 % [65.0 %–75.0 %] | 70.0 % [65.0 %–75.0 %] | 5.1 | 2 | 3/3 | 0.220 |", table, StringComparison.Ordinal);
        Assert.Contains("| nft | 80.0 % [75.0 %–85.0 %] |", table, StringComparison.Ordinal);
        Assert.Contains("training minutes", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_CompareOnlyFullEvaluationsWithTheThreshold_When_QuickOnesAreInterleaved()
    {
        // Given: quick evaluations (other prompts, another scale) at 5 and 15 minutes that read above the threshold, full
        // ones at 0, 10 and 20 minutes; the reference's full final is 0.5 and the method's full evaluations reach it at 20
        static CurvePoint Point(int i, double accuracy, bool full) => new(i, i * 96L, i * 2L, i * 300.0, accuracy, accuracy) { Full = full };
        var runs = new List<ComparisonRun>
        {
            new("grpo", 1, [Point(0, 0.4, true), Point(1, 0.7, false), Point(2, 0.45, true), Point(3, 0.7, false), Point(4, 0.5, true)]),
            new("nft", 1, [Point(0, 0.4, true), Point(1, 0.9, false), Point(2, 0.48, true), Point(3, 0.9, false), Point(4, 0.55, true)]),
        };

        // When
        var table = ComparisonReport.TimeTable(runs, [10, 20], "one run at a time");

        // Then: both reach 0.5 at 20 minutes (8 steps), not at the quick 5-minute point; at 10 min is the full 0.48
        Assert.Contains("| nft | 1 | 48.0 % | 55.0 % | 55.0 % | 20.0 | 8 | 1/1 |", table, StringComparison.Ordinal);
        Assert.Contains("| grpo | 1 | 45.0 % | 50.0 % | 50.0 % | 20.0 | 8 | 1/1 |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_PlaceMilestonesAtMultiplesOfTheFullEvaluation_When_LimitsAreInMinutes()
    {
        Assert.Equal([10.0, 20.0, 30.0], new ComparisonLimits(null, 30).Milestones);
        Assert.Equal([10.0], new ComparisonLimits(null, 15).Milestones);
        Assert.Contains("--budget", Assert.Single(new ComparisonLimits(null, null).Validate()), StringComparison.Ordinal);
        Assert.Contains("--minutes must be positive, got -1", Assert.Single(new ComparisonLimits(100, -1).Validate()), StringComparison.Ordinal);
    }
}
