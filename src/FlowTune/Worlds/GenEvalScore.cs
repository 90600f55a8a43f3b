namespace FlowTune.Worlds;

/// <summary>A named term of the partial-credit reward, in [0, 1].</summary>
/// <param name="Name">E.g. "include[1].color".</param>
/// <param name="Value">The term's value.</param>
public sealed record RewardComponent(string Name, double Value);

/// <summary>What made an image fail GenEval's strict check; the first failing clause decides.</summary>
public enum GenEvalFailure
{
    /// <summary>The image is correct.</summary>
    None,

    /// <summary>Fewer objects of a required class than asked for (also a missing reference object of a position).</summary>
    MissingObjects,

    /// <summary>Enough objects, but not all of them in the required colour.</summary>
    WrongColor,

    /// <summary>The objects are there, in the wrong relation to the reference objects.</summary>
    WrongPosition,

    /// <summary>As many or more objects of an excluded class (counting: too many).</summary>
    ExtraObjects,
}

/// <summary>The verdict on one image for one metadata entry.</summary>
/// <param name="Correct">GenEval's correctness (the "strict" all-clauses accuracy of the benchmark): every include clause has at least its count, with colour and position, and no exclude clause is violated.</param>
/// <param name="ExactCorrect">Flow-GRPO's <c>strict_correct</c>: every include clause has exactly its count, all of them with the colour, positions hold (exclude clauses not consulted).</param>
/// <param name="Reward">Flow-GRPO's partial-credit training reward: the mean of <see cref="Components"/>.</param>
/// <param name="Components">The reward's terms.</param>
/// <param name="Reasons">Why <see cref="Correct"/> is false (empty when correct), in GenEval's wording.</param>
public sealed record GenEvalScore(bool Correct, bool ExactCorrect, double Reward, IReadOnlyList<RewardComponent> Components, IReadOnlyList<string> Reasons)
{
    /// <summary>The cause of the first failing clause (<see cref="GenEvalFailure.None"/> when correct; judges that do not tell leave it None).</summary>
    public GenEvalFailure Cause { get; init; }

    /// <summary>The cause of every failing clause, in clause order (parallel to <see cref="Reasons"/>; empty when correct or when the judge does not tell).</summary>
    public IReadOnlyList<GenEvalFailure> Causes { get; init; } = [];
}
