using FlowTune.Rl.Advantages;

namespace FlowTune.Rl.SuperFlow;

/// <summary>
/// SuperFlow's tracker baseline as published (<c>advantages: {name: tracker}</c>; docs/ALGORITHMS.md §6.4): the
/// advantage of a rollout is its reward minus its prompt's tracked success rate, A = r − v̂(c), divided by the std of
/// these over the epoch (+ eps) and clipped; a group whose rewards are all equal still has a signal, so every rollout
/// is trained. The other fields (and <c>sigma_steps</c>) are the group estimator's.
/// </summary>
public sealed record TrackerAdvantageOptions : GroupAdvantageOptions
{
    /// <inheritdoc/>
    public override IAdvantageEstimator Create(AdvantageContext? context = null) =>
        new TrackerAdvantageEstimator(this, context?.Trackers ?? throw new ArgumentNullException(nameof(context), "the tracker baseline reads the run's success trackers"));
}

/// <summary>A = (r − v̂(c)) / (std + eps), clipped; v̂ as the trackers hold it before this epoch's update.</summary>
public sealed class TrackerAdvantageEstimator(TrackerAdvantageOptions options, PromptSuccessTrackers trackers) : IAdvantageEstimator
{
    /// <inheritdoc/>
    public EpochAdvantages Estimate(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var prompts = input.GroupPrompts ?? throw new ArgumentException("the tracker baseline needs each group's prompt (AdvantageInput.GroupPrompts)", nameof(input));
        var raw = input.Rewards.Select((r, i) => r - trackers.SuccessRate(prompts[input.Groups[i]])).ToArray();
        var std = GroupAdvantages.Std(raw) + options.Eps;
        var values = raw.Select(a => Math.Clamp(a / std, -options.ClipMax, options.ClipMax)).ToArray();
        var zeroStd = GroupAdvantages.Compute(input.Rewards, input.Groups, options.GlobalStd, options.Eps, options.ClipMax).ZeroStdRatio;
        return new EpochAdvantages(values, [.. values.Select(_ => true)], SigmaSteps.For(options, input, values), zeroStd);
    }
}
