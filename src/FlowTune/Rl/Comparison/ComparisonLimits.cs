namespace FlowTune.Rl.Comparison;

/// <summary>
/// What every run of a comparison gets: the same sampled-image budget, the same training time, or both (whichever
/// ends a run first), and when it is evaluated.
/// </summary>
/// <param name="Budget">Sampled images per run (null = no image limit; then <paramref name="Minutes"/> must be set).</param>
/// <param name="Minutes">Training minutes per run (null = no time limit). Evaluations are not counted.</param>
/// <param name="EvalEveryEpochs">Evaluate every N epochs (image-budget comparisons; 0 = by minutes only).</param>
/// <param name="EvalEveryMinutes">Quick evaluation every this many training minutes (time-limited comparisons).</param>
/// <param name="FullEveryMinutes">
/// Full evaluation (the whole test protocol) at multiples of this many training minutes and at the end of a
/// time-limited run: the table's milestones.
/// </param>
public sealed record ComparisonLimits(long? Budget, double? Minutes, int EvalEveryEpochs = 10, double EvalEveryMinutes = 5, double FullEveryMinutes = 10)
{
    /// <summary>Every problem with the values.</summary>
    public IEnumerable<string> Validate()
    {
        if (Budget is null && Minutes is null)
        {
            yield return "a comparison needs --budget (images per run), --minutes (training minutes per run), or both";
        }
        if (Budget is < 1)
        {
            yield return $"--budget must be >= 1, got {Budget}";
        }
        if (Minutes is not null and not > 0)
        {
            yield return $"--minutes must be positive, got {Minutes}";
        }
        if (EvalEveryEpochs < 0 || !(EvalEveryMinutes > 0) || !(FullEveryMinutes > 0))
        {
            yield return $"--eval-every must be >= 0 and --eval-minutes, --full-eval-minutes positive, got {EvalEveryEpochs}, {EvalEveryMinutes}, {FullEveryMinutes}";
        }
    }

    /// <summary>The training minutes at which the table reads accuracy: multiples of <see cref="FullEveryMinutes"/> up to <see cref="Minutes"/>.</summary>
    public IReadOnlyList<double> Milestones => Minutes is { } m
        ? [.. Enumerable.Range(1, (int)Math.Floor(m / FullEveryMinutes + 1e-9)).Select(k => k * FullEveryMinutes)]
        : [];
}
