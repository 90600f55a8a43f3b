namespace FlowTune.Worlds;

/// <summary>
/// One line of a GenEval metadata file: a prompt, its category, and the clauses an image must satisfy
/// (include clauses combine with AND, exclude clauses are each a failure condition).
/// Equality compares clause lists element by element.
/// </summary>
/// <param name="Tag">The category.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Include">Include clauses, at least one.</param>
/// <param name="Exclude">Exclude clauses, possibly none.</param>
public sealed record GenEvalEntry(GenEvalTag Tag, string Prompt, IReadOnlyList<IncludeClause> Include, IReadOnlyList<ExcludeClause> Exclude)
{
    /// <inheritdoc/>
    public bool Equals(GenEvalEntry? other) =>
        other is not null
        && Tag == other.Tag
        && Prompt == other.Prompt
        && Include.SequenceEqual(other.Include)
        && Exclude.SequenceEqual(other.Exclude);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Tag, Prompt, Include.Count, Exclude.Count);
}
