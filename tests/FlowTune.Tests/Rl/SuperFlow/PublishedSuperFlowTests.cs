using FlowTune.Rl.Advantages;
using FlowTune.Rl.SuperFlow;

namespace FlowTune.Tests.Rl.SuperFlow;

/// <summary>The parts of SuperFlow as published (docs/ALGORITHMS.md §6.4) on hand-computed cases.</summary>
public sealed class PublishedSuperFlowTests
{
    [Fact]
    public void Should_ForgetAndCount_When_ATrackerIsUpdated()
    {
        // Given: prior Beta(1, 1), forgetting 0.9
        var trackers = new PromptSuccessTrackers(new TrackerOptions { Forgetting = 0.9, Prior = 1 });

        // When: rewards 1, 0, 1 (and 1.5, clamped to 1), then 0.5
        var before = trackers.SuccessRate("a");
        trackers.Update("a", [1, 0, 1.5]);
        var once = trackers.Of("a");
        trackers.Update("a", [0.5]);

        // Then: α = 0.9·1 + 2 = 2.9, β = 0.9·1 + 1 = 1.9; then α = 0.9·2.9 + 0.5 = 3.11, β = 0.9·1.9 + 0.5 = 2.21
        Assert.Equal(0.5, before);
        Assert.Equal(2.9, once.Alpha, 12);
        Assert.Equal(1.9, once.BetaCount, 12);
        Assert.Equal(3.11 / 5.32, trackers.SuccessRate("a"), 12);
        var v = 3.11 / 5.32;
        Assert.Equal(Math.Sqrt(v * (1 - v) + 0.01), trackers.Uncertainty("a", 0.01), 12);
        Assert.Equal(Math.Sqrt(0.25 + 0.01), trackers.Uncertainty("never seen", 0.01), 12);
    }

    [Fact]
    public void Should_GiveTheLargestGroupsToTheMostUncertainBin_When_SizingGroups()
    {
        // Given: 8 prompts, M_max 13, 4 bins of 2 prompts
        double[] w = [0.1, 0.5, 0.3, 0.5, 0.2, 0.4, 0.05, 0.45];

        // When
        var sizes = UncertaintyGroupPlanner.Sizes(w, 13, 4);

        // Then: ranks 0.5 (1), 0.5 (3) | 0.45 (7), 0.4 (5) | 0.3 (2), 0.2 (4) | 0.1 (0), 0.05 (6)
        Assert.Equal([10, 13, 11, 13, 11, 12, 10, 12], sizes);
    }

    [Fact]
    public void Should_NameTheValues_When_UncertaintyGroupsAreInvalid()
    {
        var problems = new UncertaintyGroupOptions { NumGroupsPerEpoch = 0, MaxGroupSize = 4, Bins = 4, Epsilon = 0 }.Validate().ToList();
        Assert.Contains("groups.num_groups_per_epoch must be >= 1, got 0", problems);
        Assert.Contains(problems, p => p.Contains("got bins 4, max_group_size 4", StringComparison.Ordinal));
        Assert.Contains("groups.epsilon must be positive, got 0", problems);
        Assert.Empty(new UncertaintyGroupOptions().Validate());
        Assert.Contains("trackers.forgetting must be in (0, 1], got 0", new TrackerOptions { Forgetting = 0 }.Validate());
    }

    [Fact]
    public void Should_DrawInProportionToUncertainty_When_SamplingPrompts()
    {
        // Given: weights 0 (never), 1 and 3
        var random = new Random(4);
        var firsts = new int[3];

        // When: 4000 draws of one prompt, and draws of all three
        for (var i = 0; i < 4000; i++)
        {
            firsts[UncertaintyGroupPlanner.WeightedWithoutReplacement([0, 1, 3], 1, random)[0]]++;
        }
        var all = UncertaintyGroupPlanner.WeightedWithoutReplacement([0, 1, 3], 3, random);

        // Then: about 1 : 3, never the zero weight first; without replacement all three come out
        Assert.Equal(0, firsts[0]);
        Assert.InRange(firsts[2] / (double)firsts[1], 2.6, 3.4);
        Assert.Equal([0, 1, 2], all.Order());
    }

    [Fact]
    public void Should_SubtractTheTrackedSuccessRate_When_TheBaselineIsTheTracker()
    {
        // Given: prompt "a" tracked at v̂ = 0.75 (α 3, β 1 after one update of [1, 1] with ρ 1), "b" unseen (0.5);
        // group 0 = a with rewards [1, 1] (all equal), group 1 = b with [0, 1]
        var trackers = new PromptSuccessTrackers(new TrackerOptions { Forgetting = 1, Prior = 1 });
        trackers.Update("a", [1, 1]);
        var input = new AdvantageInput([1, 1, 0, 1], [0, 0, 1, 1], null, [1, 0], false, ["a", "b"]);

        // When
        var a = new TrackerAdvantageOptions().Create(new AdvantageContext(trackers)).Estimate(input);

        // Then: raw r − v̂ = [0.25, 0.25, −0.5, 0.5], divided by their population std (numpy's, as the group estimator) + 1e-4
        double[] raw = [0.25, 0.25, -0.5, 0.5];
        var mean = raw.Average();
        var std = Math.Sqrt(raw.Sum(x => (x - mean) * (x - mean)) / 4) + 1e-4;
        Assert.Equal(raw.Select(x => x / std), a.Values, (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.All(a.Trained, Assert.True);                       // the all-equal group still has a signal
        Assert.Equal(0.5, a.ZeroStdRatio);
        Assert.Null(a.Steps);
    }

    [Fact]
    public void Should_ScaleEachStepByItsNoiseStd_When_SigmaStepsIsOn()
    {
        // Given: a 4-step linear grid, noise level 0.7: σ = 0.7·sqrt(t / (1 − t)) at t = 0.75 (also for t = 1), 0.75, 0.5, 0.25
        var input = new AdvantageInput([0, 1], [0, 0], null, [1, 0.75, 0.5, 0.25, 0], false, ["a"], NoiseLevel: 0.7);

        // When
        var a = new GroupAdvantageOptions { SigmaSteps = true }.Create().Estimate(input);

        // Then: η = 1 / mean σ, so step k of a rollout with advantage A is A·σ_k / mean σ
        double[] sigma = [0.7 * Math.Sqrt(3), 0.7 * Math.Sqrt(3), 0.7, 0.7 * Math.Sqrt(1.0 / 3)];
        var mean = sigma.Average();
        Assert.Equal(sigma, SigmaSteps.Sigmas(input.Grid, 0.7), (x, y) => Math.Abs(x - y) < 1e-12);
        var steps = a.Steps!;
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(sigma.Select(s => a.Values[i] * s / mean), steps[i], (x, y) => Math.Abs(x - y) < 1e-9);
        }
        Assert.True(steps[1][0] > steps[1][3] && a.Values[1] > 0, "high-noise steps get more of the credit");
    }
}
