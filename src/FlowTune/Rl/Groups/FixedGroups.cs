using FlowTune.Rl.Prompts;
using FlowTune.Training;

namespace FlowTune.Rl.Groups;

/// <summary>Flow-GRPO's groups (<c>groups: {name: fixed}</c>): every epoch draws P prompts and samples K images of each.</summary>
public sealed record FixedGroupOptions : IGroupOptions
{
    /// <summary>Groups (prompts) per epoch P.</summary>
    public int NumGroupsPerEpoch { get; init; } = 8;

    /// <summary>Group size K: images per prompt per epoch (a group needs two members).</summary>
    public int NumImagePerPrompt { get; init; } = 12;

    /// <inheritdoc/>
    public int ImagesPerEpoch => NumGroupsPerEpoch * NumImagePerPrompt;

    /// <inheritdoc/>
    public bool VariableGroupSizes => false;

    /// <inheritdoc/>
    public string Describe() => $"{NumGroupsPerEpoch} prompts × {NumImagePerPrompt} images per epoch";

    /// <inheritdoc/>
    public IEnumerable<string> Validate() => GroupCounts.Validate(NumGroupsPerEpoch, NumImagePerPrompt);

    /// <inheritdoc/>
    public IGroupPlanner Create(int seed, SuperFlow.PromptSuccessTrackers? trackers = null) => new FixedGroupPlanner(this, seed);
}

/// <summary>Draws the epoch's prompts (stream <see cref="RandomStreams.RlPrompts"/>) and gives each K rollouts in one round.</summary>
public sealed class FixedGroupPlanner(FixedGroupOptions options, int seed) : IGroupPlanner
{
    /// <inheritdoc/>
    public GroupRound Begin(int epoch, PromptDraw prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var groups = prompts.Draw(options.NumGroupsPerEpoch, Seeds.Derive31(seed, RandomStreams.RlPrompts, epoch)).Select(i => prompts.Prompts[i]).ToList();
        var slots = Enumerable.Range(0, groups.Count).SelectMany(g => Enumerable.Repeat(g, options.NumImagePerPrompt)).ToList();
        return new GroupRound(epoch, 0, groups, slots);
    }

    /// <inheritdoc/>
    public GroupRound? Next(GroupRound finished, Func<IReadOnlyList<IReadOnlyList<double>>> rewards) => null;

    /// <inheritdoc/>
    public void Save(string directory)
    {
    }

    /// <inheritdoc/>
    public void Restore(string directory)
    {
    }
}

/// <summary>The checks every planner's P and K share.</summary>
public static class GroupCounts
{
    /// <summary>Problems with P (<paramref name="groups"/>) and K (<paramref name="imagesPerPrompt"/>).</summary>
    public static IEnumerable<string> Validate(int groups, int imagesPerPrompt)
    {
        if (imagesPerPrompt < 2)
        {
            yield return $"groups.num_image_per_prompt must be >= 2 (a group needs two members), got {imagesPerPrompt}";
        }
        if (groups < 1)
        {
            yield return $"groups.num_groups_per_epoch must be >= 1, got {groups}";
        }
    }
}
