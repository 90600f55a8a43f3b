using FlowTune.Common;
using FlowTune.Rewards;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.SuperFlow;
using FlowTune.Rl.Update;

namespace FlowTune.Rl.Config;

/// <summary>
/// An RL run (YAML, <see cref="RlConfigLoader"/>; docs/FORMATS.md): run-level fields, then one section per stage of
/// the epoch pipeline (prompts → groups → sample → reward → advantages → objective → train) and the evaluation.
/// <c>groups</c>, <c>advantages</c> and <c>objective</c> name their implementation (<c>name: …</c>) and hold its
/// fields. Every default is the reference code's unless the field's comment says why not. The resolved config is
/// written to the run directory.
/// </summary>
public sealed record RlConfig
{
    /// <summary>Seed of prompts, noise, windows and shuffles (same seed + thread count → same run).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of epochs (one epoch = sample, score, update).</summary>
    public int NumEpochs { get; init; } = 100;

    /// <summary>
    /// Stop once this many minutes of training time have passed (sampling, rewards, updates and checkpoints; not
    /// evaluations), at the end of the epoch under way; null = run all <see cref="NumEpochs"/>. Whichever limit comes
    /// first ends the run. Time-to-accuracy comparisons (<c>flowtune compare --minutes</c>) set it.
    /// </summary>
    public double? MaxTrainMinutes { get; init; }

    /// <summary>
    /// What training minutes count (<see cref="MaxTrainMinutes"/>, evaluations by minutes, the minutes in metrics):
    /// <c>unstolen</c> (default) is wall time less the share of CPU time a shared VM's hypervisor stole meanwhile, so
    /// runs made in fast and slow hours compare; <c>wall</c> is plain elapsed time. Equal where nothing is stolen.
    /// </summary>
    public TrainingClockKind Clock { get; init; } = TrainingClockKind.Unstolen;

    /// <summary>Checkpoint every N epochs (and at the end).</summary>
    public int SaveFreq { get; init; } = 10;

    /// <summary>Evaluate on the test prompts every N epochs (0 = only before and after).</summary>
    public int EvalFreq { get; init; } = 10;

    /// <summary>Checkpoints kept.</summary>
    public int NumCheckpointLimit { get; init; } = 3;

    /// <summary>The base model and the world.</summary>
    public PretrainedOptions Pretrained { get; init; } = new();

    /// <summary>Prompt files and how they are drawn.</summary>
    public PromptOptions Prompts { get; init; } = new();

    /// <summary>Which prompts an epoch samples and how many images each (default: fixed groups).</summary>
    public IGroupOptions Groups { get; init; } = new FixedGroupOptions();

    /// <summary>Rollouts.</summary>
    public RolloutOptions Sample { get; init; } = new();

    /// <summary>
    /// In-process rewards by name with their weights, e.g. <c>{geneval: 1.0}</c>, and optionally a reward server:
    /// <c>{remote: {url: ..., weight: ...}}</c> (docs/REWARD_SERVER.md). The run's reward is their weighted sum.
    /// </summary>
    public RewardOptions Reward { get; init; } = new();

    /// <summary>How rewards become advantages (default: group-normalised).</summary>
    public IAdvantageOptions Advantages { get; init; } = new GroupAdvantageOptions();

    /// <summary>The loss of an update (default: Flow-GRPO).</summary>
    public IObjectiveOptions Objective { get; init; } = new FlowGrpoOptions();

    /// <summary>Optimizer, EMA and what is trained.</summary>
    public UpdateOptions Train { get; init; } = new();

    /// <summary>The per-prompt success trackers (SuperFlow as published: the uncertainty planner and the tracker baseline read them).</summary>
    public TrackerOptions Trackers { get; init; } = new();

    /// <summary>The periodic and final evaluations.</summary>
    public RlEvalOptions Eval { get; init; } = new();

    /// <summary>Images sampled per epoch (the group planner's budget).</summary>
    public int ImagesPerEpoch => Groups.ImagesPerEpoch;

    /// <summary>Every problem with the values, each naming the field and the offending value.</summary>
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
        Check(NumEpochs >= 0, $"num_epochs must be >= 0, got {NumEpochs}");
        Check(SaveFreq >= 1, $"save_freq must be >= 1, got {SaveFreq}");
        Check(EvalFreq >= 0, $"eval_freq must be >= 0, got {EvalFreq}");
        Check(MaxTrainMinutes is null or > 0, $"max_train_minutes must be positive (or omitted), got {MaxTrainMinutes}");
        Check(NumCheckpointLimit >= 1, $"num_checkpoint_limit must be >= 1, got {NumCheckpointLimit}");
        Check(!string.IsNullOrWhiteSpace(Pretrained.Model), "pretrained.model must name a model folder");
        p.AddRange(Reward.Validate());
        p.AddRange(Pretrained.Pipeline.Validate().Select(m => "pretrained.pipeline." + m));
        p.AddRange(Prompts.Validate());
        p.AddRange(Groups.Validate());
        p.AddRange(Sample.Validate());
        p.AddRange(Advantages.Validate());
        p.AddRange(Objective.Validate());
        p.AddRange(Train.Validate());
        p.AddRange(Eval.Validate());
        p.AddRange(Trackers.Validate());
        var needs = Objective.Needs;
        var objective = PolicyObjectives.Registry.NameOf(Objective);
        Check(!needs.StochasticRollouts || Sample.NoiseLevel > 0,
            $"sample.noise_level must be positive for objective {objective} (it trains transition likelihoods), got {Sample.NoiseLevel}");
        Check(needs.StepAdvantages || !Advantages.NeedsStepValues,
            $"advantages {AdvantageEstimators.Registry.NameOf(Advantages)} needs an objective that trains each step (grpo); objective {objective} trains on final images only");
        Check(needs.StepAdvantages || !Advantages.ProducesStepAdvantages || Advantages.NeedsStepValues,
            $"advantages.sigma_steps needs an objective that trains each step (grpo); objective {objective} trains on final images only");
        var batches = (ImagesPerEpoch + Sample.BatchSize - 1) / Math.Max(1, Sample.BatchSize);
        Check(Groups.VariableGroupSizes || Train.UpdatesPerEpoch <= batches,
            $"train.updates_per_epoch is {Train.UpdatesPerEpoch}, but an epoch has only {batches} rollout batches ({ImagesPerEpoch} images / sample.batch_size {Sample.BatchSize}); lower it or lower sample.batch_size");
        return p;
    }
}

/// <summary>The base model (<c>pretrained.*</c>).</summary>
public sealed record PretrainedOptions
{
    /// <summary>
    /// Folder of the base model: a FlowTune model (model.json + model.safetensors), a diffusers SD3/SD3.5 pipeline
    /// (model_index.json; run as <see cref="Pipeline"/> says), or an SD3 policy folder an earlier run exported.
    /// </summary>
    public string Model { get; init; } = "models/shapes-base";

    /// <summary>How an SD3 pipeline is run (image size, T5, prompt-embedding cache); ignored for FlowTune models.</summary>
    public Models.Sd3.Sd3PipelineOptions Pipeline { get; init; } = new();

    /// <summary>Benchmark world (its judge scores evaluations; its split is the default prompts).</summary>
    public string World { get; init; } = "shapes";
}
