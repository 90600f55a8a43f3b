namespace FlowTune.Evaluation;

/// <summary>One quick evaluation of a pretraining run (<see cref="PretrainQuickEvaluation"/>).</summary>
/// <param name="Step">The optimizer step the evaluated model is from.</param>
/// <param name="TrainMinutes">Training minutes up to that step (evaluations excluded).</param>
/// <param name="Report">The evaluation's report.</param>
public sealed record PretrainQuickEvalResult(long Step, double TrainMinutes, EvalReport Report);
