namespace FlowTune.Rl.Prompts;

/// <summary>Which prompts an epoch draws (<c>prompts.*</c>).</summary>
public sealed record PromptOptions
{
    /// <summary>Training prompt file (GenEval JSONL); null = the world's built-in training split.</summary>
    public string? Train { get; init; }

    /// <summary>Evaluation prompt file (GenEval JSONL); null = the world's built-in test split.</summary>
    public string? Test { get; init; }

    /// <summary>Draw every tag equally often (the shapes world's tags have very different prompt counts).</summary>
    public bool BalanceTags { get; init; } = true;

    /// <summary>
    /// With <see cref="BalanceTags"/>: relative weight of each tag (the source's tag names, e.g. {position: 2,
    /// color_attr: 2}); tags not named weigh 1, weight 0 leaves a tag out. Empty = every tag equally often. Unknown
    /// names are reported when the prompts are loaded (the source knows its tags).
    /// </summary>
    public Dictionary<string, double> TagWeights { get; init; } = [];

    /// <summary>Every problem with the values.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (tag, weight) in TagWeights)
        {
            if (!(weight >= 0) || double.IsInfinity(weight))
            {
                yield return $"prompts.tag_weights.{tag} must be a finite weight >= 0, got {weight}";
            }
        }
        if (TagWeights.Count > 0 && !BalanceTags)
        {
            yield return "prompts.tag_weights needs prompts.balance_tags: true";
        }
    }
}
