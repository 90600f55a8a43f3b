namespace FlowTune.Worlds;

/// <summary>A named term of the partial-credit reward, in [0, 1].</summary>
/// <param name="Name">E.g. "include[1].color".</param>
/// <param name="Value">The term's value.</param>
public sealed record RewardComponent(string Name, double Value);

/// <summary>The verdict on one image for one metadata entry.</summary>
/// <param name="Correct">GenEval's correctness (the "strict" all-clauses accuracy of the benchmark): every include clause has at least its count, with colour and position, and no exclude clause is violated.</param>
/// <param name="ExactCorrect">Flow-GRPO's <c>strict_correct</c>: every include clause has exactly its count, all of them with the colour, positions hold (exclude clauses not consulted).</param>
/// <param name="Reward">Flow-GRPO's partial-credit training reward: the mean of <see cref="Components"/>.</param>
/// <param name="Components">The reward's terms.</param>
/// <param name="Reasons">Why <see cref="Correct"/> is false (empty when correct), in GenEval's wording.</param>
public sealed record GenEvalScore(bool Correct, bool ExactCorrect, double Reward, IReadOnlyList<RewardComponent> Components, IReadOnlyList<string> Reasons);
