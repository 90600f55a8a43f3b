namespace FlowTune.Training;

/// <summary>Options of rectified-flow pretraining (<c>flowtune pretrain</c>). Saved with every run and checkpoint.</summary>
public sealed record PretrainOptions
{
    /// <summary>Model preset (see ModelPresets); "unet-small" is the CPU default.</summary>
    public string Preset { get; init; } = "unet-small";

    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak AdamW learning rate (reached after the warm-up, then constant).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 200;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.0;

    /// <summary>Gradient-norm clip (0 disables).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Probability of replacing a caption by "" (trains the unconditional branch for CFG).</summary>
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>EMA decay of the weights used for sampling, evaluation and export.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Stop after this many optimizer steps.</summary>
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Also stop after this many minutes of training (0 = no time limit).</summary>
    public double MaxMinutes { get; init; }

    /// <summary>Seed of the weights, data order, noise and times (same seed + thread count → same run).</summary>
    public int Seed { get; init; }

    /// <summary>Console progress line every N steps.</summary>
    public int LogEvery { get; init; } = 25;

    /// <summary>Checkpoint every N steps (also at the end).</summary>
    public int CheckpointEvery { get; init; } = 250;

    /// <summary>Checkpoints kept.</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Sample grid + quick evaluation every N steps (0 = only at the end).</summary>
    public int EvalEvery { get; init; } = 500;

    /// <summary>Prompts per tag in the periodic quick evaluation (1 image each, 40 ODE steps).</summary>
    public int EvalPromptsPerTag { get; init; } = 10;

    /// <summary>
    /// Weight of the caption-structure loss (<see cref="CaptionStructureHead"/>): the text encoder's noun tokens must
    /// predict the noun's colour, count and spatial role, so that each noun token carries its own attributes. Needs a
    /// source with labels (<see cref="IImageTextSource.LabelSpace"/>). 0 = flow-matching loss only.
    /// </summary>
    public double CaptionLabelWeight { get; init; }

    /// <summary>
    /// Relative weight of each tag in the training draw (GenEval tag names, e.g. {position: 3, color_attr: 3}); tags
    /// not named weigh 1, 0 leaves a tag out. Empty = every tag equally often.
    /// </summary>
    public Dictionary<string, double> TagWeights { get; init; } = [];

    /// <summary>
    /// Train only the text encoder, on the caption-structure loss (the U-Net is not run): the language stage of the
    /// frozen-encoder recipe real models use (SD3 freezes T5). Needs <see cref="CaptionLabelWeight"/> &gt; 0; the
    /// exported model's image network is untrained. The next stage names this run's <c>final/</c> in
    /// <see cref="TextEncoderFrom"/>.
    /// </summary>
    public bool TextOnly { get; init; }

    /// <summary>
    /// Start the text encoder from this model folder's text encoder (same text configuration and vocabulary; the
    /// image network is the preset's, fresh), e.g. one trained with <see cref="TextOnly"/>. Null = fresh. Not with
    /// <see cref="InitFrom"/> (that copies the whole model).
    /// </summary>
    public string? TextEncoderFrom { get; init; }

    /// <summary>
    /// Keep the text encoder's weights fixed: no gradients, not in the optimizer (with <see cref="TextEncoderFrom"/>:
    /// an image model trained from scratch on a frozen, language-trained encoder). Excludes the caption-structure
    /// loss, which trains the encoder.
    /// </summary>
    public bool FreezeText { get; init; }

    /// <summary>
    /// Start from this model folder's weights (and its architecture and vocabulary; <see cref="Preset"/> is then
    /// ignored) instead of a fresh initialisation, e.g. to continue a shipped base on other prompts. The optimizer and
    /// the warm-up start anew; a resumed run continues from its own checkpoint instead. Null = fresh weights.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// With <see cref="InitFrom"/>: give the U-Net <c>unet.position_features</c> = N that the source model lacks. Their
    /// projections start at zero, so training starts from exactly the source's function. 0 = keep the source's shape.
    /// </summary>
    public int AddPositionFeatures { get; init; }

    /// <summary>Every problem with these values, each naming the field and its value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                p.Add(message);
            }
        }
        Check(ImageSize >= 8, $"image_size must be >= 8, got {ImageSize}");
        Check(BatchSize >= 1, $"batch_size must be >= 1, got {BatchSize}");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), $"learning_rate must be positive, got {LearningRate}");
        Check(WarmupSteps >= 0, $"warmup_steps must be >= 0, got {WarmupSteps}");
        Check(WeightDecay >= 0, $"weight_decay must be >= 0, got {WeightDecay}");
        Check(GradClip >= 0, $"grad_clip must be >= 0, got {GradClip}");
        Check(CaptionDropout is >= 0 and < 1, $"caption_dropout must be in [0, 1), got {CaptionDropout}");
        Check(EmaDecay is >= 0 and < 1, $"ema_decay must be in [0, 1), got {EmaDecay}");
        Check(MaxSteps >= 1, $"max_steps must be >= 1, got {MaxSteps}");
        Check(MaxMinutes >= 0, $"max_minutes must be >= 0, got {MaxMinutes}");
        Check(LogEvery >= 1, $"log_every must be >= 1, got {LogEvery}");
        Check(CheckpointEvery >= 1, $"checkpoint_every must be >= 1, got {CheckpointEvery}");
        Check(KeepCheckpoints >= 1, $"keep_checkpoints must be >= 1, got {KeepCheckpoints}");
        Check(EvalEvery >= 0, $"eval_every must be >= 0, got {EvalEvery}");
        Check(EvalPromptsPerTag >= 1, $"eval_prompts_per_tag must be >= 1, got {EvalPromptsPerTag}");
        Check(CaptionLabelWeight >= 0 && double.IsFinite(CaptionLabelWeight), $"caption_label_weight must be >= 0, got {CaptionLabelWeight}");
        Check(InitFrom is null || File.Exists(Path.Combine(InitFrom, Models.ModelCheckpoint.ConfigFile)),
            $"init_from must be a model folder (with {Models.ModelCheckpoint.ConfigFile}), got '{InitFrom}'");
        Check(AddPositionFeatures is >= 0 and <= 64 && AddPositionFeatures % 4 == 0,
            $"add_position_features must be 0 or a multiple of 4 up to 64, got {AddPositionFeatures}");
        Check(AddPositionFeatures == 0 || InitFrom is not null, $"add_position_features ({AddPositionFeatures}) needs init_from");
        foreach (var (tag, weight) in TagWeights)
        {
            Check(weight >= 0 && double.IsFinite(weight), $"tag_weights.{tag} must be a finite weight >= 0, got {weight}");
        }
        Check(!TextOnly || CaptionLabelWeight > 0, $"text_only needs caption_label_weight > 0 (its only loss), got {CaptionLabelWeight}");
        Check(!(TextOnly && FreezeText), "text_only and freeze_text exclude each other: one trains only the text encoder, the other everything but it");
        Check(!FreezeText || CaptionLabelWeight == 0, $"freeze_text excludes the caption-structure loss (it trains the encoder), got caption_label_weight {CaptionLabelWeight}");
        Check(TextEncoderFrom is null || InitFrom is null, "text_encoder_from and init_from exclude each other (init_from copies the whole model)");
        Check(TextEncoderFrom is null || File.Exists(Path.Combine(TextEncoderFrom, Models.ModelCheckpoint.ConfigFile)),
            $"text_encoder_from must be a model folder (with {Models.ModelCheckpoint.ConfigFile}), got '{TextEncoderFrom}'");
        return p;
    }
}
