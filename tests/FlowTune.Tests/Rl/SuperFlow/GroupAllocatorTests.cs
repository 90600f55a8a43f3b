using FlowTune.Rl.SuperFlow;

namespace FlowTune.Tests.Rl.SuperFlow;

public sealed class GroupAllocatorTests
{
    private static readonly AdaptiveGroupOptions Options = new() { FirstRoundSize = 4, MaxGroupSize = 12, MinGroupSize = 2, FirstRoundFraction = 0.5 };

    [Fact]
    public void Should_PreferUncertainPromptsAndSpendHalfTheBudget_When_PlanningTheFirstRound()
    {
        // Given: candidate 1 and 3 are known to be always solved (std 0)
        double[] std = [0.4, 0.0, 0.5, 0.0, 0.3, 0.45];

        // When
        var first = GroupAllocator.FirstRound(std, budget: 32, Options);

        // Then: 16 images = 4 prompts of 4, the four most uncertain, in candidate order
        Assert.Equal([(0, 4), (2, 4), (4, 4), (5, 4)], first);
    }

    [Fact]
    public void Should_KeepTheDrawsTagComposition_When_TheFirstRoundIsStratified()
    {
        // Given: the draw's first 4 candidates are 2 "a", 1 "b", 1 "c"; the "b" candidates have the largest stds
        double[] std = [0.1, 0.2, 0.45, 0.05, 0.5, 0.4, 0.3, 0.0];
        string[] tags = ["a", "a", "b", "c", "b", "b", "a", "c"];

        // When
        var plain = GroupAllocator.FirstRound(std, budget: 32, Options);
        var stratified = GroupAllocator.FirstRound(std, budget: 32, Options, tags);

        // Then: by std alone three of four are "b"; stratified keeps 2 "a" (the two largest), 1 "b" (the largest), 1 "c"
        Assert.Equal([2, 4, 5, 6], plain.Select(f => f.Candidate));
        Assert.Equal([1, 3, 4, 6], stratified.Select(f => f.Candidate));
        Assert.All(stratified, f => Assert.Equal(Options.FirstRoundSize, f.Size));
    }

    [Fact]
    public void Should_KeepEachTagsShare_When_StdsAreTakenRelativeToTheirTag()
    {
        // Given: two "colors" prompts with large reward stds and two "counting" prompts with small ones
        double[] std = [0.4, 0.2, 0.06, 0.02];
        string[] tags = ["colors", "colors", "counting", "counting"];
        int[] room = [40, 40, 40, 40];

        // When
        var relative = GroupAllocator.RelativeToKeyMean(std, tags);
        var raw = GroupAllocator.Neyman(std, room, remaining: 40);
        var stratified = GroupAllocator.Neyman(relative, room, remaining: 40);

        // Then: raw std gives counting about an eighth of the images (40 · 0.08 / 0.68 ≈ 4.7); relative std gives each
        // tag half, ordered within the tag
        Assert.All(relative.Zip([4.0 / 3, 2.0 / 3, 1.5, 0.5]), p => Assert.Equal(p.Second, p.First, 12));
        Assert.InRange(raw[2] + raw[3], 4, 6);
        Assert.Equal(20, stratified[0] + stratified[1]);
        Assert.Equal(20, stratified[2] + stratified[3]);
        Assert.True(stratified[0] > stratified[1] && stratified[2] > stratified[3]);
        Assert.Equal([0.0, 0.0], GroupAllocator.RelativeToKeyMean([0.0, 0.0], ["a", "a"]));
        Assert.Throws<ArgumentException>(() => GroupAllocator.RelativeToKeyMean([0.1], ["a", "b"]));
    }

    [Fact]
    public void Should_AllocateInProportionToStdWithinCaps_When_UsingNeyman()
    {
        // Given
        double[] std = [0.1, 0.3, 0.5, 0.0];
        int[] room = [8, 8, 3, 8];

        // When
        var extra = GroupAllocator.Neyman(std, room, remaining: 12);

        // Then
        Assert.Equal(12, extra.Sum());
        Assert.Equal(3, extra[2]);                 // capped
        Assert.Equal(0, extra[3]);                 // zero-variance prompt gets nothing
        Assert.True(extra[1] > extra[0]);          // more where the std is higher
        Assert.All(extra.Zip(room), p => Assert.True(p.First <= p.Second));
    }

    [Fact]
    public void Should_NeverExceedRemainingBudget_When_RoomIsLarge()
    {
        // Given
        double[] std = [0.2, 0.2, 0.2];
        int[] room = [100, 100, 100];

        // When
        var extra = GroupAllocator.Neyman(std, room, remaining: 10);

        // Then
        Assert.Equal(10, extra.Sum());
        Assert.True(extra.Max() - extra.Min() <= 1);
    }

    [Fact]
    public void Should_GiveTheSameAllocation_When_CalledTwiceWithTheSameInputs()
    {
        // Given
        double[] std = [0.3, 0.3, 0.1, 0.25, 0.3];
        int[] room = [5, 5, 5, 5, 5];

        // When / Then
        Assert.Equal(GroupAllocator.Neyman(std, room, 13), GroupAllocator.Neyman(std, room, 13));
        Assert.Equal(GroupAllocator.FirstRound(std, 20, Options), GroupAllocator.FirstRound(std, 20, Options));
    }

    [Fact]
    public void Should_StopGroup_When_FirstRoundRewardsAreAllEqual()
    {
        // When / Then
        Assert.True(GroupAllocator.AllEqual([1.0, 1.0, 1.0, 1.0]));
        Assert.False(GroupAllocator.AllEqual([1.0, 0.5, 1.0, 1.0]));
    }

    [Fact]
    public void Should_ShrinkTowardsPooledVariance_When_PromptHasFewRewards()
    {
        // Given
        var tracker = new PromptRewardTracker();
        tracker.Update("hard", [0, 1, 0, 1]);
        tracker.Update("solved", [1, 1, 1, 1, 1, 1, 1, 1]);

        // When
        var unseen = tracker.EstimatedStd("new", priorStrength: 2);
        var solved = tracker.EstimatedStd("solved", priorStrength: 2);
        var hard = tracker.EstimatedStd("hard", priorStrength: 2);

        // Then
        Assert.True(hard > solved, "a prompt with mixed outcomes is more uncertain than an always-solved one");
        Assert.True(unseen > solved && unseen > 0);
        Assert.Equal(4, tracker.Count("hard"));
    }
}
