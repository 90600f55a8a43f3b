using FlowTune.IO;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Prompts;
using FlowTune.Training;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// Plans an epoch of variance-aware groups in two rounds (<see cref="GroupAllocator"/>): round 1 gives first rounds
/// to the candidates with the largest estimated std; round 2 spends the rest on the prompts whose round-1 rewards
/// differed (Neyman allocation) and on new prompts' first rounds. Each round's rewards update the per-prompt
/// <see cref="Tracker"/>, which persists across epochs and checkpoints (<c>prompt_stats.json</c>).
/// </summary>
public sealed class AdaptiveGroupPlanner(AdaptiveGroupOptions options, int seed) : IGroupPlanner
{
    /// <summary>File of the tracker in a checkpoint folder.</summary>
    public const string StatsFile = "prompt_stats.json";

    private List<PromptItem> _candidates = [];
    private List<int> _chosen = [];

    /// <summary>The per-prompt reward statistics.</summary>
    public PromptRewardTracker Tracker { get; } = new();

    /// <inheritdoc/>
    public GroupRound Begin(int epoch, PromptDraw prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var budget = options.ImagesPerEpoch;
        var draws = Math.Max(4 * options.NumGroupsPerEpoch, 2 * budget / options.FirstRoundSize);
        _candidates = [.. prompts.Draw(draws, Seeds.Derive31(seed, RandomStreams.RlPrompts, epoch)).Distinct().Select(i => prompts.Prompts[i])];
        var first = GroupAllocator.FirstRound(Ranking(_candidates), budget, options, options.StratifyTags ? _candidates.Select(c => c.Tag ?? "").ToList() : null);
        _chosen = [.. first.Select(f => f.Candidate)];
        var groups = _chosen.Select(c => _candidates[c]).ToList();
        return new GroupRound(epoch, 1, groups, [.. first.SelectMany((f, g) => Enumerable.Repeat(g, f.Size))]);
    }

    /// <inheritdoc/>
    public GroupRound? Next(GroupRound finished, Func<IReadOnlyList<IReadOnlyList<double>>> rewards)
    {
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(rewards);
        var byGroup = rewards();
        for (var g = 0; g < finished.Groups.Count; g++)
        {
            Tracker.Update(finished.Groups[g].Text, byGroup[g]);
        }
        if (finished.Index != 1)
        {
            return null;
        }
        var groups = finished.Groups.ToList();
        var used = finished.Slots.Count;
        var budget = options.ImagesPerEpoch;
        var active = Enumerable.Range(0, groups.Count).Where(g => !GroupAllocator.AllEqual(byGroup[g])).ToList();
        var extra = GroupAllocator.Neyman(Ranking(active.Select(g => groups[g]).ToList()),
            active.Select(g => options.MaxGroupSize - byGroup[g].Count).ToList(), budget - used);
        var slots = active.SelectMany((g, i) => Enumerable.Repeat(g, extra[i])).ToList();
        used += slots.Count;
        var fresh = Enumerable.Range(0, _candidates.Count).Where(c => !_chosen.Contains(c)).ToList();
        while (budget - used >= options.MinGroupSize && fresh.Count > 0)
        {
            var size = Math.Min(options.FirstRoundSize, budget - used);
            groups.Add(_candidates[fresh[0]]);
            fresh.RemoveAt(0);
            slots.AddRange(Enumerable.Repeat(groups.Count - 1, size));
            used += size;
        }
        return new GroupRound(finished.Epoch, 2, groups, slots);
    }

    /// <inheritdoc/>
    public void Save(string directory) => Json.Write(Path.Combine(directory, StatsFile), Tracker.Snapshot());

    /// <inheritdoc/>
    public void Restore(string directory)
    {
        var path = Path.Combine(directory, StatsFile);
        if (File.Exists(path))
        {
            Tracker.Restore(Json.Read<Dictionary<string, PromptRewardTracker.Stats>>(path));
        }
    }

    /// <summary>Each prompt's estimated reward std, relative to its tag's mean when <c>stratify_tags</c> is on.</summary>
    private IReadOnlyList<double> Ranking(IReadOnlyList<PromptItem> prompts)
    {
        var std = prompts.Select(p => Tracker.EstimatedStd(p.Text, options.PriorStrength)).ToList();
        return options.StratifyTags ? GroupAllocator.RelativeToKeyMean(std, prompts.Select(p => p.Tag ?? "").ToList()) : std;
    }
}
