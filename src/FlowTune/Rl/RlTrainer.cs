using FlowTune.Distributed;
using System.Globalization;
using FlowTune.Common;
using FlowTune.Evaluation;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Rl.Config;
using FlowTune.Rewards.Remote;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Update;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>
/// Runs an RL config: builds the stages the config names (docs/ALGORITHMS.md §5–7), evaluates the base, runs
/// <see cref="RlEpoch"/> after <see cref="RlEpoch"/>, checkpoints and evaluates on schedule. Every epoch's prompts,
/// noise and shuffles derive from (seed, epoch), and checkpoints hold weights, EMA, optimizer and planner state,
/// so <c>--resume</c> continues bit-identically.
/// </summary>
public sealed class RlTrainer
{
    private readonly RlConfig _config;
    private readonly string _runDirectory;
    private readonly TextWriter _log;
    private readonly EvalCache? _evalCache;

    /// <summary>
    /// Creates the trainer (nothing runs until <see cref="Run"/>); evaluations of weights found in
    /// <paramref name="evalCache"/> (e.g. the shared base of a comparison's runs) are copied, not recomputed.
    /// </summary>
    public RlTrainer(RlConfig config, string runDirectory, TextWriter log, EvalCache? evalCache = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validation.ThrowIfAny(config.Validate(), "RL config");
        _config = config;
        _runDirectory = runDirectory;
        _log = log;
        _evalCache = evalCache;
    }

    /// <summary>
    /// The data-parallel job this trainer is one rank of (default: this process alone; see <see cref="RlEpoch"/> for how
    /// an epoch is shared). Every rank holds the same weights, optimizer and planner state; only rank 0 writes the
    /// config, metrics, checkpoints, evaluations and the final export, and its training clock takes the stop and
    /// evaluation decisions for every rank.
    /// </summary>
    public DataParallel Parallel { get; init; } = DataParallel.Single;

    /// <summary>
    /// Hears of every epoch (task <c>train</c>: epochs, or training minutes under <c>max_train_minutes</c>) and of every
    /// evaluation batch (task <c>eval</c>, images); main rank only.
    /// </summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>Metrics of every epoch run by this process, in order (the whole run: <see cref="RunLog.Read"/>).</summary>
    public List<EpochMetrics> Epochs { get; } = [];

    /// <summary>Evaluations (epoch, report) made by this process, in order.</summary>
    public List<(int Epoch, EvalReport Report)> Evaluations { get; } = [];

    /// <summary>Trains; returns the number of completed epochs.</summary>
    public int Run(bool resume, CancellationToken cancel)
    {
        var main = Parallel.IsMain;
        var log = main ? _log : TextWriter.Null;
        var yaml = RlConfigLoader.ToYaml(_config);
        if (main)
        {
            Directory.CreateDirectory(_runDirectory);
            File.WriteAllText(Path.Combine(_runDirectory, "config.yaml"), yaml);
        }
        using var session = new RlSession(_config, Parallel, log);
        var models = session.Models;
        var store = new CheckpointStore(_runDirectory, _config.NumCheckpointLimit);
        var checkpoints = new RlCheckpoint(_config, models, session.Optimizer, session.Updater, session.Planner, session.Trackers);
        var epoch = 0;
        var elapsedBefore = 0.0;
        if (resume && store.Latest() is { } latest)
        {
            epoch = checkpoints.Restore(latest.Path);
            elapsedBefore = RunLog.Read(_runDirectory, epoch).ElapsedAfter(epoch);
            log.WriteLine($"resumed from {latest.Path} (epoch {epoch})");
        }
        var paramCount = models.Trainable.Sum(p => p.Value.NumElements);
        var s = _config.Sample;
        var rollouts = s.NoiseLevel > 0 ? $"{s.NumSteps} SDE steps (noise {s.NoiseLevel})" : $"{s.NumSteps} ODE steps";
        log.WriteLine(Invariant($"objective {PolicyObjectives.Registry.NameOf(_config.Objective)}: {paramCount:N0} trainable parameters ({(models.UseLora ? "LoRA" : "full fine-tuning")}), {_config.Groups.Describe()}, {rollouts}, {TorchRuntime.NumThreads} threads → {_runDirectory}"));
        Parallel.BroadcastFromMain(session.Optimizer.Parameters, "broadcast of the initial weights");
        using var metrics = main ? MetricsLog.Open(_runDirectory, yaml) : null;
        var judge = session.World.Judge();
        var eval = _config.Eval;
        if (main && epoch == 0 && !cancel.IsCancellationRequested)
        {
            Evaluate(models, session.Test, judge, 0, metrics!, full: eval.FullEveryMinutes is not null, final: false, seconds: 0);
        }
        // training time (sampling, reward, updates, checkpoints), carried over a resume; evaluations are not counted.
        // Every decision (stop, evaluate) uses the time recorded with the epoch, the same number a resume reads back,
        // so a resumed run takes the decisions the interrupted one took.
        var clock = new TrainingClock(elapsedBefore, _config.Clock);
        var trained = elapsedBefore;
        bool TimeUp(double seconds) => _config.MaxTrainMinutes is { } limit && seconds >= limit * 60;
        while (epoch < _config.NumEpochs && !TimeUp(trained) && !Parallel.Any(cancel.IsCancellationRequested, "stop vote"))
        {
            var before = trained;
            EpochResult result;
            try
            {
                result = session.RunEpoch(epoch, clock);
            }
            catch (Exception e) when (RewardServerFailure(e) is { } failure)
            {
                // the epoch's updates had not started (rewards come first): the state after the last completed epoch is exact
                var saved = main ? SaveUnlessSaved(store, epoch, dir => checkpoints.Save(dir, epoch)) : null;
                throw new RewardServerException(failure.Url,
                    $"{failure.Detail}. The run stopped during epoch {epoch + 1}"
                    + (saved is null ? "" : $"; checkpoint of the {epoch} completed epochs: {saved} (continue with --resume once the server is back)"), failure);
            }
            // rank 0's clock decides for every rank (stop, evaluate), so the ranks stay in step
            var epochMetrics = result.Metrics with { ElapsedSeconds = Parallel.AllGather([result.Metrics.ElapsedSeconds], "clock gather")[0] };
            foreach (var update in result.Updates)
            {
                metrics?.Write(update);
            }
            metrics?.Write(epochMetrics);
            Epochs.Add(epochMetrics);
            epoch++;
            trained = epochMetrics.ElapsedSeconds;
            var progress = _config.MaxTrainMinutes is { } limit ? Invariant($"{epoch} ({trained / 60:F1}/{limit:0.#} training minutes)") : $"{epoch}/{_config.NumEpochs}";
            log.WriteLine(Invariant($"epoch {progress}  reward {epochMetrics.RewardMean:F3} ± {epochMetrics.RewardStd:F3}  zero-std {epochMetrics.ZeroStdRatio:P0}  {epochMetrics.ImagesPerSecond:F1} img/s  (sample {epochMetrics.SamplingSeconds:F1} s, reward wait {epochMetrics.RewardWaitSeconds:F1} s, train {epochMetrics.TrainingSeconds:F1} s)  first-update |ratio−1| {epochMetrics.FirstUpdateMaxRatioDeviation:E1}"));
            if (main)
            {
                Progress?.Report(_config.MaxTrainMinutes is { } budget && _config.NumEpochs >= 1_000_000
                    ? new ProgressReport("train", Math.Min(trained / 60, budget), budget, "training min")
                    : new ProgressReport("train", epoch, _config.NumEpochs, "epochs"));
            }
            var last = epoch == _config.NumEpochs || TimeUp(trained);
            if (main && (epoch % _config.SaveFreq == 0 || last || cancel.IsCancellationRequested))
            {
                var path = store.Save(epoch, dir => checkpoints.Save(dir, epoch));
                log.WriteLine($"  checkpoint {path}");
            }
            var full = eval.FullEveryMinutes is { } f && (last || Crossed(before, trained, f));
            if (main && ((_config.EvalFreq > 0 && epoch % _config.EvalFreq == 0) || last || full || (eval.EveryMinutes is { } m && Crossed(before, trained, m))))
            {
                clock.Pause();
                Evaluate(models, session.Test, judge, epoch, metrics!, full, last, trained);
                clock.Resume();
            }
        }
        if (main)
        {
            models.ForEvaluation.Export(Path.Combine(_runDirectory, "final"));
        }
        Parallel.Barrier("end of training");
        return epoch;
    }

    /// <summary>The reward-server failure behind <paramref name="e"/> (scoring runs on a worker task, so it may be wrapped).</summary>
    private static RewardServerException? RewardServerFailure(Exception e) => e switch
    {
        RewardServerException r => r,
        AggregateException a => a.InnerExceptions.Select(RewardServerFailure).FirstOrDefault(r => r is not null),
        { InnerException: { } inner } => RewardServerFailure(inner),
        _ => null,
    };

    /// <summary>Saves the checkpoint of <paramref name="epoch"/> completed epochs unless the newest one is it already.</summary>
    private static string SaveUnlessSaved(CheckpointStore store, int epoch, Action<string> write) =>
        store.List() is { Count: > 0 } list && list[^1].Step == epoch ? list[^1].Path : store.Save(epoch, write);

    /// <summary>Whether a multiple of <paramref name="minutes"/> lies in (before, after] seconds.</summary>
    private static bool Crossed(double before, double after, double minutes) => Math.Floor(after / (minutes * 60)) > Math.Floor(before / (minutes * 60));

    private void Evaluate(PolicyModels models, IReadOnlyList<GenEvalEntry> test, IImageJudge judge, int epoch, RunMetricsWriter metrics, bool full, bool final, double seconds)
    {
        var options = _config.Eval.ToEvalOptions(_config.Sample.Shift, full);
        var output = Path.Combine(_runDirectory, "eval", $"epoch_{epoch:D4}");
        var cached = false;
        var report = _evalCache is null
            ? Evaluator.Run(models.ForEvaluation, test, judge, options, output, Progress)
            : _evalCache.Run(models.ForEvaluation, test, judge, options, output, out cached, Progress);
        Evaluations.Add((epoch, report));
        _log.WriteLine($"  {(full ? "full " : "")}evaluation after epoch {epoch}, {seconds / 60:F1} training minutes ({(models.EmaModel is null ? "policy" : "EMA")} weights, {options.Steps} ODE steps{(cached ? ", the same weights evaluated before: copied from " + _evalCache!.Directory : "")}):");
        _log.WriteLine(string.Join(Environment.NewLine, report.Format().Split(Environment.NewLine).Select(l => "    " + l)));
        metrics.Write(new EvalMetrics(epoch, report.Overall, report.MeanReward, report.Diversity, report.Tags.ToDictionary(t => t.Tag, t => t.Accuracy),
            seconds, report.Images, full, final));
        metrics.EvaluationGrids(output, epoch);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
