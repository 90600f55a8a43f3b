namespace FlowTune.Worlds;

/// <summary>
/// A position requirement on an include clause: every matched object of this clause must be in
/// <see cref="Relation"/> to every matched object of include clause <see cref="ReferenceIndex"/> (an earlier one).
/// Metadata form: <c>"position": ["left of", 0]</c>.
/// </summary>
/// <param name="Relation">The relation of this clause's objects to the reference's objects.</param>
/// <param name="ReferenceIndex">Index of an earlier include clause.</param>
public sealed record PositionClause(PositionRelation Relation, int ReferenceIndex);

/// <summary>An include clause: at least <see cref="Count"/> objects of <see cref="ClassName"/>, optionally of a colour and at a position.</summary>
/// <param name="ClassName">Object class, e.g. "circle" (any name is accepted; a detector may never report it).</param>
/// <param name="Count">Required number, at least 1.</param>
/// <param name="Color">Required colour name, or null.</param>
/// <param name="Position">Required position relative to an earlier clause, or null.</param>
public sealed record IncludeClause(string ClassName, int Count, string? Color = null, PositionClause? Position = null);

/// <summary>An exclude clause: fewer than <see cref="Count"/> objects of <see cref="ClassName"/>.</summary>
/// <param name="ClassName">Object class.</param>
/// <param name="Count">The smallest forbidden number, at least 1.</param>
public sealed record ExcludeClause(string ClassName, int Count);
