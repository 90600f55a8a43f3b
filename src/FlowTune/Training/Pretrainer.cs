using FlowTune.Common;
using FlowTune.Distributed;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Nn;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Training;

/// <summary>
/// Rectified-flow pretraining (docs/ALGORITHMS.md §1.4): x_t = (1 − t)·x0 + t·eps with t = sigmoid(N(0, 1)) (logit-normal),
/// loss ‖v(x_t, t, c) − (eps − x0)‖², captions dropped with probability p for CFG, AdamW with linear warm-up,
/// EMA weights; optionally plus a caption-structure loss on the text tokens (<see cref="CaptionStructureHead"/>).
/// Every step's data, noise and times derive from (seed, step) alone, so a resumed run continues
/// bit-identically. Checkpoints are atomic; Ctrl+C saves one before stopping.
/// </summary>
public sealed class Pretrainer
{
    private const string HeadFile = "caption_head.safetensors";
    private const string HeadPrefix = "caption_head.";
    private const string TextPrefix = "text.";
    private readonly PretrainOptions _options;
    private readonly IImageTextSource _source;
    private readonly string _runDirectory;
    private readonly TextWriter _log;

    /// <summary>Creates the trainer; nothing runs until <see cref="Run"/>.</summary>
    public Pretrainer(PretrainOptions options, IImageTextSource source, string runDirectory, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        ArgumentNullException.ThrowIfNull(log);
        Validation.ThrowIfAny(options.Validate(), "pretraining options");
        if (options.CaptionLabelWeight > 0 && source.LabelSpace is null)
        {
            throw new ArgumentException($"caption_label_weight is {options.CaptionLabelWeight}, but the training source has no caption labels", nameof(options));
        }
        _options = options;
        _source = source;
        _runDirectory = runDirectory;
        _log = log;
    }

    /// <summary>Hears of every optimizer step (task <c>pretrain</c>, steps; main rank only).</summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>
    /// Called with (step, EMA model, seconds of training so far, the run's metrics writer) every
    /// <see cref="PretrainOptions.EvalEvery"/> steps and at the end (on rank 0, which holds the writer).
    /// </summary>
    public Action<long, FlowModel, double, RunMetricsWriter>? Evaluate { get; init; }

    /// <summary>
    /// The data-parallel job this trainer is one rank of (default: a process on its own). Every rank draws the same
    /// global batch (data, noise, times, caption dropout from (seed, step)) and trains on its rows
    /// (<see cref="DataParallel.Shard"/>); gradients are averaged over ranks before clipping and the optimizer step, so
    /// every rank holds the same weights and optimizer state, equal to one process with the whole batch up to reduction
    /// order. Only rank 0 logs, writes metrics, checkpoints and the final model, and evaluates. The caption-structure
    /// loss is averaged per rank, so with it the match is approximate (ranks may hold different numbers of labels).
    /// </summary>
    public DataParallel Parallel { get; init; } = DataParallel.Single;

    /// <summary>State written next to the weights of every checkpoint.</summary>
    public sealed record TrainerState(long Step, double TrainSeconds, PretrainOptions Options);

    /// <summary>Trains until max steps / max minutes or cancellation; returns the final step. Resumes from the newest checkpoint when asked.</summary>
    public long Run(bool resume, CancellationToken cancel)
    {
        var main = Parallel.IsMain;
        var log = main ? _log : TextWriter.Null;
        if (main)
        {
            Directory.CreateDirectory(_runDirectory);
            Json.Write(Path.Combine(_runDirectory, "options.json"), _options);
        }
        if (_options.BatchSize % Parallel.Size != 0)
        {
            throw new ArgumentException($"batch_size ({_options.BatchSize}) must be divisible by the world size ({Parallel.Size})");
        }
        var store = new CheckpointStore(_runDirectory, _options.KeepCheckpoints);
        ModelCheckpoint.Description description;
        if (_options.InitFrom is { } init)
        {
            description = WithAddedPositionFeatures(ModelCheckpoint.ReadDescription(init));
        }
        else
        {
            var config = ModelPresets.Get(_options.Preset, _options.ImageSize);
            description = new ModelCheckpoint.Description(config, _source.Vocabulary, config.Text.MaxLength);
        }
        using var model = ModelCheckpoint.Create(description, (ulong)_options.Seed);
        using var ema = ModelCheckpoint.Create(description, (ulong)_options.Seed);
        var emaWeights = new EmaWeights(model, ema);
        if (_options.TextEncoderFrom is { } textFrom)
        {
            LoadTextEncoder(textFrom, description, model, ema);
            log.WriteLine($"text encoder from {textFrom}{(_options.FreezeText ? ", frozen" : "")}");
        }
        using var head = CreateHead(model);
        // a frozen encoder is not optimised; a text-only stage optimises nothing else
        var parameters = model.NamedParameters()
            .Where(p => !(_options.FreezeText && p.Key.StartsWith(TextPrefix, StringComparison.Ordinal)))
            .Where(p => !_options.TextOnly || p.Key.StartsWith(TextPrefix, StringComparison.Ordinal))
            .ToList();
        if (head is not null)
        {
            parameters.AddRange(head.NamedParameters().Select(p => KeyValuePair.Create(HeadPrefix + p.Key, p.Value)));
        }
        using var optimizer = new AdamW(parameters, new AdamWOptions
        {
            LearningRate = _options.LearningRate,
            WeightDecay = _options.WeightDecay,
        });
        long step = 0;
        double trainSeconds = 0;
        if (resume && store.Latest() is { } latest)
        {
            (step, trainSeconds) = Restore(latest.Path, model, ema, head, optimizer);
            log.WriteLine($"resumed from {latest.Path} (step {step})");
        }
        else if (_options.InitFrom is { } source)
        {
            var weights = Path.Combine(source, ModelCheckpoint.WeightsFile);
            ModelCheckpoint.LoadWeights(model, weights, allowMissing: IsAddedParameter);
            ModelCheckpoint.LoadWeights(ema, weights, allowMissing: IsAddedParameter);
            log.WriteLine($"starting from the weights of {source}" + (_options.AddPositionFeatures > 0 ? $", with {_options.AddPositionFeatures} position features added" : ""));
        }
        log.WriteLine(Invariant($"pretraining {(_options.InitFrom is null ? _options.Preset : Path.GetFileName(Path.TrimEndingDirectorySeparator(_options.InitFrom)))}: {model.ParameterCount():N0} parameters, batch {_options.BatchSize}, lr {_options.LearningRate}, {TorchRuntime.NumThreads} threads → {_runDirectory}"));
        Parallel.BroadcastFromMain(optimizer.Parameters.Concat(ema.Parameters()), "broadcast of the initial weights");
        using var metrics = main ? MetricsLog.Open(_runDirectory, JsonSerializer.Serialize(_options, Json.Options)) : null;
        // training time, carried over a resume; evaluations are not counted
        var clock = new TrainingClock(trainSeconds);
        var window = new List<double>();
        var captionWindow = new List<double>();
        var windowClock = Stopwatch.StartNew();
        var next = Prefetch(step + 1);
        var lastSaved = step;
        while (step < _options.MaxSteps
               && !Parallel.Any(cancel.IsCancellationRequested || (_options.MaxMinutes > 0 && trainSeconds >= _options.MaxMinutes * 60), "stop vote"))
        {
            step++;
            var batch = next.GetAwaiter().GetResult();
            next = Prefetch(step + 1);
            optimizer.LearningRate = _options.LearningRate * Math.Min(1.0, step / (double)Math.Max(1, _options.WarmupSteps));
            var (loss, captionLoss) = TrainStep(model, head, optimizer, batch, step);
            emaWeights.Update(EmaWeights.WarmupDecay(step, _options.EmaDecay));
            window.Add(loss);
            if (captionLoss is { } c)
            {
                captionWindow.Add(c);
            }
            trainSeconds = clock.Seconds;
            if (Parallel.IsMain)
            {
                Progress?.Report(new ProgressReport("pretrain", step, _options.MaxSteps, "steps"));
            }
            if (step % _options.LogEvery == 0)
            {
                var rate = window.Count * _options.BatchSize / windowClock.Elapsed.TotalSeconds;
                var meanLoss = Parallel.AllGather([window.Average()], "loss gather").Average();
                double? caption = captionWindow.Count > 0 ? captionWindow.Average() : null;
                var captionText = caption is { } cl ? Invariant($"  caption loss {cl:F4}") : "";
                log.WriteLine(Invariant($"step {step}/{_options.MaxSteps}  loss {meanLoss:F4}{captionText}  {rate:F1} img/s  {trainSeconds / 60:F1} min"));
                metrics?.Write(new PretrainMetrics(step, meanLoss, caption, rate, trainSeconds));
                window.Clear();
                captionWindow.Clear();
                windowClock.Restart();
            }
            if (step % _options.CheckpointEvery == 0)
            {
                Save(store, step, trainSeconds, model, ema, head, optimizer);
                lastSaved = step;
            }
            if (main && _options.EvalEvery > 0 && step % _options.EvalEvery == 0 && Evaluate is not null && !_options.TextOnly)
            {
                var evalClock = Stopwatch.StartNew();
                clock.Pause();
                Evaluate(step, ema, trainSeconds, metrics!);
                clock.Resume();
                log.WriteLine(Invariant($"  (evaluation took {evalClock.Elapsed.TotalSeconds:F0} s)"));
            }
        }
        if (lastSaved != step)
        {
            Save(store, step, trainSeconds, model, ema, head, optimizer);
        }
        if (main)
        {
            ModelCheckpoint.Save(Path.Combine(_runDirectory, "final"), ema, new Dictionary<string, string>
            {
                ["step"] = step.ToString(CultureInfo.InvariantCulture),
                ["train_seconds"] = trainSeconds.ToString("F0", CultureInfo.InvariantCulture),
            });
        }
        Parallel.Barrier("end of training");
        if (main && Evaluate is not null && !_options.TextOnly && (_options.EvalEvery == 0 || step % _options.EvalEvery != 0))
        {
            Evaluate(step, ema, trainSeconds, metrics!);
        }
        log.WriteLine(Invariant($"done: step {step}, {trainSeconds / 60:F1} min of training; EMA model in {Path.Combine(_runDirectory, "final")}"));
        return step;
    }

    private ModelCheckpoint.Description WithAddedPositionFeatures(ModelCheckpoint.Description source)
    {
        if (_options.AddPositionFeatures == 0)
        {
            return source;
        }
        if (source.Config.Architecture != "unet" || source.Config.UNet.PositionFeatures != 0)
        {
            throw new InvalidOperationException(
                $"add_position_features needs a U-Net without position features; {_options.InitFrom} is '{source.Config.Architecture}' with {source.Config.UNet.PositionFeatures}");
        }
        var unet = source.Config.UNet with { PositionFeatures = _options.AddPositionFeatures };
        return source with { Config = source.Config with { UNet = unet } };
    }

    // The parameters that add_position_features creates (zero-initialised position-code projections).
    private bool IsAddedParameter(string name) => _options.AddPositionFeatures > 0 && name.Contains(".position.", StringComparison.Ordinal);

    private Task<ImageTextBatch> Prefetch(long step) =>
        Task.Run(() => _source.Batch(_options.BatchSize, Seeds.Derive31(_options.Seed, RandomStreams.PretrainData, step)));

    private CaptionStructureHead? CreateHead(FlowModel model)
    {
        if (_options.CaptionLabelWeight == 0 || _source.LabelSpace is not { } space)
        {
            return null;
        }
        using var generator = new Generator(Seeds.Derive(_options.Seed, RandomStreams.PretrainCaptionHead, 0));
        return new CaptionStructureHead(model.Text.Config.Width, space, generator);
    }

    /// <summary>One optimizer step; returns the flow-matching loss and the caption-structure loss (null without a head).</summary>
    private (double Loss, double? CaptionLoss) TrainStep(FlowModel model, CaptionStructureHead? head, AdamW optimizer, ImageTextBatch batch, long step)
    {
        using var scope = TensorScope.Enter();
        using var generator = new Generator(Seeds.Derive(_options.Seed, RandomStreams.PretrainNoise, step));
        var b = batch.Prompts.Count;
        var shape = _source.ImageShape;
        var x0 = PixelSpace.ToModel(Tensor.FromArray(batch.Pixels, [b, .. shape]));   // [B, C, H, W]
        var eps = Tensor.Randn([b, .. shape], generator);                              // [B, C, H, W]
        var t = Tensor.Randn([b], generator).Sigmoid();                                // [B], logit-normal
        var drop = Tensor.Rand([b], generator).ToArray<float>();
        var prompts = batch.Prompts.Select((p, i) => drop[i] < _options.CaptionDropout ? "" : p).ToList();
        // this rank's rows of the global batch: every rank drew the same batch, so the shards add up to it
        var (start, rows) = Parallel.Shard(b, "batch_size");
        if (rows != b)
        {
            (x0, eps, t) = (x0.Narrow(0, start, rows), eps.Narrow(0, start, rows), t.Narrow(0, start, rows));
            (prompts, drop) = (prompts.GetRange(start, rows), drop[start..(start + rows)]);
            batch = batch with { Prompts = batch.Prompts.Skip(start).Take(rows).ToList(), Labels = batch.Labels?.Skip(start).Take(rows).ToList() };
            b = rows;
        }
        var tv = t.View(b, 1, 1, 1);
        var xt = x0 * (1.0 - tv) + eps * tv;                                            // [B, C, H, W]
        TextBatch text;
        using (_options.FreezeText ? Autograd.NoGrad() : null)
        {
            text = model.EncodeText(prompts);
        }
        using var _ = text;
        var captionLoss = head is null || batch.Labels is null
            ? null
            : head.Loss(text, batch.Labels.Select((l, i) => drop[i] < _options.CaptionDropout ? null : l).ToList());
        if (_options.TextOnly)
        {
            // the language stage: the caption-structure loss alone (reported as the step's loss)
            var language = captionLoss ?? throw new InvalidOperationException("text_only needs caption labels in every batch");
            (language * _options.CaptionLabelWeight).Backward();
            Parallel.AverageGradients(optimizer.Parameters, $"gradient all-reduce of step {step}");
            Clip(optimizer);
            optimizer.Step();
            optimizer.ZeroGrad();
            var value = language.Item();
            return (value, value);
        }
        var loss = F.MseLoss(model.Velocity(xt, t, text), eps - x0);
        var total = captionLoss is null ? loss : loss + captionLoss * _options.CaptionLabelWeight;
        total.Backward();
        Parallel.AverageGradients(optimizer.Parameters, $"gradient all-reduce of step {step}");
        Clip(optimizer);
        optimizer.Step();
        optimizer.ZeroGrad();
        return (loss.Item(), captionLoss?.Item());
    }

    private void Clip(AdamW optimizer)
    {
        if (_options.GradClip > 0)
        {
            GradClip.ClipGradNorm(optimizer.Parameters, _options.GradClip);
        }
    }

    /// <summary>Copies the text encoder of the model folder <paramref name="source"/> into both networks; its text configuration and vocabulary must match.</summary>
    private static void LoadTextEncoder(string source, ModelCheckpoint.Description description, FlowModel model, FlowModel ema)
    {
        var theirs = ModelCheckpoint.ReadDescription(source);
        if (theirs.Config.Text != description.Config.Text || !theirs.Vocabulary.SequenceEqual(description.Vocabulary) || theirs.MaxLength != description.MaxLength)
        {
            throw new ArgumentException($"text_encoder_from {source}: its text encoder (config, vocabulary or length) differs from this model's");
        }
        var (tensors, _) = TensorFile.Load(Path.Combine(source, ModelCheckpoint.WeightsFile));
        try
        {
            var text = tensors.Where(kv => kv.Key.StartsWith(TextPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[TextPrefix.Length..], kv => kv.Value);
            model.Text.LoadStateDict(text);
            ema.Text.LoadStateDict(text);
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }

    private void Save(CheckpointStore store, long step, double seconds, FlowModel model, FlowModel ema, CaptionStructureHead? head, AdamW optimizer)
    {
        if (!Parallel.IsMain)
        {
            return;
        }
        var path = store.Save(step, dir =>
        {
            ModelCheckpoint.Save(dir, model);
            if (head is not null)
            {
                TensorFile.Save(Path.Combine(dir, HeadFile), head.StateDict());
            }
            CheckpointFiles.SaveEma(dir, ema);
            CheckpointFiles.SaveOptimizer(dir, optimizer);
            Json.Write(Path.Combine(dir, CheckpointFiles.State), new TrainerState(step, seconds, _options));
        });
        _log.WriteLine($"  checkpoint {path}");
    }

    private static (long Step, double Seconds) Restore(string dir, FlowModel model, FlowModel ema, CaptionStructureHead? head, AdamW optimizer)
    {
        ModelCheckpoint.LoadWeights(model, Path.Combine(dir, ModelCheckpoint.WeightsFile));
        ModelCheckpoint.LoadWeights(ema, Path.Combine(dir, CheckpointFiles.Ema));
        var headPath = Path.Combine(dir, HeadFile);
        if ((head is not null) != File.Exists(headPath))
        {
            throw new InvalidOperationException(
                $"{dir} was saved {(head is null ? "with" : "without")} a caption-structure head; resume with the caption_label_weight it was trained with");
        }
        if (head is not null)
        {
            ModelCheckpoint.LoadWeights(head, headPath);
        }
        CheckpointFiles.LoadOptimizer(dir, optimizer);
        var state = Json.Read<TrainerState>(Path.Combine(dir, CheckpointFiles.State));
        return (state.Step, state.TrainSeconds);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
