using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>
/// The periodic evaluation of a pretraining run: the first <c>promptsPerTag</c> test prompts of every tag, one image
/// each (more for tags with fewer prompts, so that every tag rests on <c>promptsPerTag</c> images), a fixed noise seed,
/// the default ODE sampler. Each call writes the evaluation folder <c>RUN/samples/step_NNNNNN/</c> and appends one
/// record to <c>RUN/eval_curve.jsonl</c>.
/// </summary>
public sealed class PretrainQuickEvaluation : IDisposable
{
    /// <summary>Seed of the initial noise of every quick evaluation (the same images at every step of a run).</summary>
    public const int NoiseSeed = 777;

    /// <summary>The curve file inside the run folder.</summary>
    public const string CurveFile = "eval_curve.jsonl";

    private readonly IImageJudge _judge;
    private readonly string _runDirectory;
    private readonly JsonlWriter _curve;

    /// <summary>Opens the run's curve file for appending.</summary>
    /// <param name="testPrompts">The test prompts to draw from.</param>
    /// <param name="judge">The world's judge.</param>
    /// <param name="promptsPerTag">Prompts (and images) per tag, at least 1.</param>
    /// <param name="runDirectory">The pretraining run's folder (created if needed).</param>
    public PretrainQuickEvaluation(IReadOnlyList<GenEvalEntry> testPrompts, IImageJudge judge, int promptsPerTag, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(testPrompts);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptsPerTag, 1);
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        Prompts = testPrompts.GroupBy(e => e.Tag).SelectMany(g => g.Take(promptsPerTag)).ToList();
        if (Prompts.Count == 0)
        {
            throw new ArgumentException("the quick evaluation needs at least one test prompt", nameof(testPrompts));
        }
        Options = new EvalOptions { SamplesPerPrompt = 1, MinImagesPerTag = promptsPerTag, Seed = NoiseSeed };
        _judge = judge;
        _runDirectory = runDirectory;
        Directory.CreateDirectory(runDirectory);
        _curve = new JsonlWriter(Path.Combine(runDirectory, CurveFile));
    }

    /// <summary>The prompts evaluated: the first ones of each tag, tags in order of first appearance.</summary>
    public IReadOnlyList<GenEvalEntry> Prompts { get; }

    /// <summary>The evaluation's options (sampler steps and guidance are <see cref="EvalOptions"/>' defaults).</summary>
    public EvalOptions Options { get; }

    /// <summary>Evaluates <paramref name="model"/> at <paramref name="step"/>, writes its folder and appends its curve record.</summary>
    /// <param name="step">The optimizer step the model is from.</param>
    /// <param name="model">The model (the run's EMA weights).</param>
    /// <param name="trainSeconds">Training seconds so far (evaluations excluded).</param>
    /// <param name="metrics">The run's metrics writer, when the curve record's numbers (as <c>eval/…</c> scalars) and
    /// the grids (as <c>eval/grid/&lt;tag&gt;</c> images) also go to its TensorBoard file, at the optimizer step.</param>
    public PretrainQuickEvalResult Evaluate(long step, IVelocityModel model, double trainSeconds, RunMetricsWriter? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(model);
        var folder = Path.Combine(_runDirectory, "samples", $"step_{step:D6}");
        var report = Evaluator.Run(model, Prompts, _judge, Options, folder);
        var result = new PretrainQuickEvalResult(step, trainSeconds / 60, report);
        var record = new
        {
            step,
            train_minutes = result.TrainMinutes,
            overall = report.Overall,
            mean_reward = report.MeanReward,
            tags = report.Tags.ToDictionary(t => t.Tag, t => t.Accuracy),
        };
        _curve.Write(record);
        if (metrics is not null)
        {
            metrics.Scalars(record, "eval");
            metrics.EvaluationGrids(folder, step);
        }
        return result;
    }

    /// <summary>Closes the curve file.</summary>
    public void Dispose() => _curve.Dispose();
}
