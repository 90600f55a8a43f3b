using FlowTune.Sampling;
using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>
/// A Flow-GRPO run (YAML; field names follow the reference implementation's config groups). Every default is the
/// reference code's unless the comment says why not. The resolved config is written to the run directory.
/// </summary>
public sealed record GrpoConfig
{
    /// <summary>Seed of prompts, noise and windows (same seed + thread count → same run).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of epochs (one epoch = sample, score, update).</summary>
    public int NumEpochs { get; init; } = 100;

    /// <summary>Checkpoint every N epochs (and at the end).</summary>
    public int SaveFreq { get; init; } = 10;

    /// <summary>Evaluate on the test prompts every N epochs (0 = only before and after).</summary>
    public int EvalFreq { get; init; } = 10;

    /// <summary>Checkpoints kept.</summary>
    public int NumCheckpointLimit { get; init; } = 3;

    /// <summary>Train LoRA adapters (true) or the whole velocity network (false; our small model's default).</summary>
    public bool UseLora { get; init; }

    /// <summary>The base model and the world.</summary>
    public PretrainedSection Pretrained { get; init; } = new();

    /// <summary>Prompt files.</summary>
    public PromptsSection Prompts { get; init; } = new();

    /// <summary>Rollouts.</summary>
    public SampleSection Sample { get; init; } = new();

    /// <summary>Optimisation.</summary>
    public TrainSection Train { get; init; } = new();

    /// <summary>SuperFlow: variance-aware group sizes and step-level advantages (both off = plain Flow-GRPO).</summary>
    public SuperFlow.AdaptiveGroupOptions Superflow { get; init; } = new();

    /// <summary>Reward names and weights, e.g. {geneval: 1.0}.</summary>
    public Dictionary<string, double> Reward { get; init; } = new() { ["geneval"] = 1.0 };

    /// <summary>Images sampled per epoch: the SuperFlow budget with adaptive groups (P×K when it is 0), else P×K.</summary>
    public int ImagesPerEpoch()
    {
        var fixedSize = Sample.NumGroupsPerEpoch * Sample.NumImagePerPrompt;
        return Superflow.AdaptiveGroups && Superflow.Budget > 0 ? Superflow.Budget : fixedSize;
    }

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
        Check(NumCheckpointLimit >= 1, $"num_checkpoint_limit must be >= 1, got {NumCheckpointLimit}");
        Check(!string.IsNullOrWhiteSpace(Pretrained.Model), "pretrained.model must name a model folder");
        Check(Reward.Count > 0, "reward must name at least one reward, e.g. {geneval: 1.0}");
        p.AddRange(Prompts.Validate());
        p.AddRange(Sample.Validate());
        p.AddRange(Train.Validate());
        Check(Train.Objective != ObjectiveKind.Grpo || Sample.NoiseLevel > 0,
            $"sample.noise_level must be positive for train.objective grpo (it trains transition likelihoods), got {Sample.NoiseLevel}");
        Check(Train.Objective == ObjectiveKind.Nft || Train.NftSamplingDecay == 0,
            $"train.nft_sampling_decay needs train.objective nft (Flow-GRPO samples on-policy), got {Train.NftSamplingDecay}");
        Check(Train.Objective != ObjectiveKind.Nft || !Superflow.StepAdvantages,
            "superflow.step_advantages needs train.objective grpo (nft trains on final images only)");
        var batches = (ImagesPerEpoch() + Sample.BatchSize - 1) / Math.Max(1, Sample.BatchSize);
        Check(Superflow.AdaptiveGroups || Train.UpdatesPerEpoch <= batches,
            $"train.updates_per_epoch is {Train.UpdatesPerEpoch}, but an epoch has only {batches} rollout batches ({ImagesPerEpoch()} images / sample.batch_size {Sample.BatchSize}); lower it or lower sample.batch_size");
        p.AddRange(Superflow.Validate());
        return p;
    }

    /// <summary>The base model.</summary>
    public sealed record PretrainedSection
    {
        /// <summary>Folder of the base model (model.json + model.safetensors).</summary>
        public string Model { get; init; } = "models/shapes-base";

        /// <summary>Benchmark world.</summary>
        public string World { get; init; } = "shapes";
    }

    /// <summary>Prompt files (GenEval JSONL); null = the world's built-in split.</summary>
    public sealed record PromptsSection
    {
        /// <summary>Training prompts.</summary>
        public string? Train { get; init; }

        /// <summary>Evaluation prompts.</summary>
        public string? Test { get; init; }

        /// <summary>Draw every tag equally often (the shapes world's tags have very different prompt counts).</summary>
        public bool BalanceTags { get; init; } = true;

        /// <summary>
        /// With <see cref="BalanceTags"/>: relative weight of each tag (GenEval names, e.g. {position: 2, color_attr: 2});
        /// tags not named weigh 1, weight 0 leaves a tag out. Empty = every tag equally often.
        /// </summary>
        public Dictionary<string, double> TagWeights { get; init; } = [];

        /// <summary>Every problem with the values.</summary>
        public IEnumerable<string> Validate()
        {
            foreach (var (tag, weight) in TagWeights)
            {
                if (!GenEvalTags.TryParse(tag, out _))
                {
                    yield return $"prompts.tag_weights: unknown tag '{tag}' (known: {string.Join(", ", GenEvalTags.All.Select(GenEvalTags.Name))})";
                }
                if (!(weight >= 0) || double.IsInfinity(weight))
                {
                    yield return $"prompts.tag_weights.{tag} must be a finite weight >= 0, got {weight}";
                }
            }
            if (TagWeights.Count > 0 && !BalanceTags)
            {
                yield return "prompts.tag_weights needs prompts.balance_tags: true";
            }
            if (TagWeights.Count > 0 && GenEvalTags.All.All(t => TagWeights.TryGetValue(GenEvalTags.Name(t), out var w) && w == 0))
            {
                yield return "prompts.tag_weights leaves every tag out";
            }
        }

        /// <summary>The weight of every tag (1 when not named).</summary>
        public IReadOnlyDictionary<GenEvalTag, double> WeightsByTag() =>
            GenEvalTags.All.ToDictionary(t => t, t => TagWeights.TryGetValue(GenEvalTags.Name(t), out var w) ? w : 1.0);
    }

    /// <summary>Rollout options (<c>sample.*</c>).</summary>
    public sealed record SampleSection
    {
        /// <summary>SDE steps of a training rollout (denoising reduction).</summary>
        public int NumSteps { get; init; } = 10;

        /// <summary>ODE steps of evaluation.</summary>
        public int EvalNumSteps { get; init; } = 40;

        /// <summary>Noise level a.</summary>
        public double NoiseLevel { get; init; } = 0.7;

        /// <summary>"sde" or "cps".</summary>
        public SdeKind Kind { get; init; } = SdeKind.Sde;

        /// <summary>CFG scale of rollouts and training (reference SD3: 4.5; 1 here: the base is evaluated without CFG, and CFG doubles the cost).</summary>
        public double GuidanceScale { get; init; } = 1.0;

        /// <summary>CFG scale of evaluation.</summary>
        public double EvalGuidanceScale { get; init; } = 1.0;

        /// <summary>Time shift of the grids.</summary>
        public double Shift { get; init; } = 1.0;

        /// <summary>Flow-GRPO-Fast window (null = every step stochastic).</summary>
        public int? SdeWindowSize { get; init; }

        /// <summary>Steps [start, end) the window lies in, e.g. [0, 5] for the layout-forming first half (null = anywhere).</summary>
        public List<int>? SdeWindowRange { get; init; }

        /// <summary>Group size K: images per prompt per epoch.</summary>
        public int NumImagePerPrompt { get; init; } = 12;

        /// <summary>Groups (prompts) per epoch P.</summary>
        public int NumGroupsPerEpoch { get; init; } = 8;

        /// <summary>Rollouts per sampling batch; training recomputes likelihoods on exactly these batches.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>
        /// Start every member of a group from the same initial noise x_1 (DanceGRPO's <c>init_same_noise</c>), so that
        /// members differ only by the SDE noise the policy's likelihood accounts for; false (the reference): each
        /// rollout draws its own x_1.
        /// </summary>
        public bool SameInitialNoise { get; init; }

        /// <summary>Normalise advantages by the std of all rewards of the epoch (true) or of the group.</summary>
        public bool GlobalStd { get; init; } = true;

        /// <summary>Images per test prompt in evaluations.</summary>
        public int EvalSamplesPerPrompt { get; init; } = 4;

        /// <summary>At least this many evaluation images per tag.</summary>
        public int EvalMinImagesPerTag { get; init; } = 40;

        /// <summary>The sampler options these fields describe.</summary>
        public SdeSamplerOptions ToSamplerOptions() => new()
        {
            Steps = NumSteps,
            NoiseLevel = NoiseLevel,
            Kind = Kind,
            GuidanceScale = GuidanceScale,
            Shift = Shift,
            WindowSize = SdeWindowSize,
            WindowRange = SdeWindowRange is [var start, var end] ? (start, end) : null,
        };

        /// <summary>Every problem.</summary>
        public IEnumerable<string> Validate()
        {
            if (SdeWindowRange is { Count: not 2 } range)
            {
                yield return $"sample.sde_window_range must be two step indices [start, end], got [{string.Join(", ", range)}]";
            }
            foreach (var problem in ToSamplerOptions().Validate())
            {
                yield return problem;
            }
            if (EvalNumSteps < 1)
            {
                yield return $"sample.eval_num_steps must be >= 1, got {EvalNumSteps}";
            }
            if (NumImagePerPrompt < 2)
            {
                yield return $"sample.num_image_per_prompt must be >= 2 (a group needs two members), got {NumImagePerPrompt}";
            }
            if (NumGroupsPerEpoch < 1)
            {
                yield return $"sample.num_groups_per_epoch must be >= 1, got {NumGroupsPerEpoch}";
            }
            if (BatchSize < 1)
            {
                yield return $"sample.batch_size must be >= 1, got {BatchSize}";
            }
            if (EvalSamplesPerPrompt < 1)
            {
                yield return $"sample.eval_samples_per_prompt must be >= 1, got {EvalSamplesPerPrompt}";
            }
        }
    }

    /// <summary>Optimisation options (<c>train.*</c>).</summary>
    public sealed record TrainSection
    {
        /// <summary>AdamW learning rate.</summary>
        public double LearningRate { get; init; } = 3e-4;

        /// <summary>AdamW β1.</summary>
        public double AdamBeta1 { get; init; } = 0.9;

        /// <summary>AdamW β2.</summary>
        public double AdamBeta2 { get; init; } = 0.999;

        /// <summary>AdamW weight decay.</summary>
        public double AdamWeightDecay { get; init; } = 1e-4;

        /// <summary>AdamW ε.</summary>
        public double AdamEpsilon { get; init; } = 1e-8;

        /// <summary>Gradient-norm clip.</summary>
        public double MaxGradNorm { get; init; } = 1.0;

        /// <summary>PPO clip range ε (tiny because log-probs are averaged over dimensions).</summary>
        public double ClipRange { get; init; } = 1e-4;

        /// <summary>Advantages are clipped to ±this.</summary>
        public double AdvClipMax { get; init; } = 5.0;

        /// <summary>Fraction of the rollout steps trained (0.99 of 10 → the first 9).</summary>
        public double TimestepFraction { get; init; } = 0.99;

        /// <summary>KL weight β (0.04 compositional and text, 0.01 preference).</summary>
        public double Beta { get; init; } = 0.04;

        /// <summary>KL form: "reference" (the reference code's) or "exact".</summary>
        public KlKind KlType { get; init; } = KlKind.Reference;

        /// <summary>
        /// Optimizer steps per epoch (gradients are accumulated in between). Each step takes whole rollout batches, so
        /// an epoch makes at most one step per batch of <c>sample.batch_size</c> rollouts.
        /// </summary>
        public int UpdatesPerEpoch { get; init; } = 2;

        /// <summary>Keep EMA weights for evaluation and checkpoints.</summary>
        public bool Ema { get; init; } = true;

        /// <summary>Upper bound of the EMA decay min((1 + n)/(10 + n), cap).</summary>
        public double EmaDecay { get; init; } = 0.9;

        /// <summary>EMA update every N optimizer steps.</summary>
        public int EmaUpdateEvery { get; init; } = 8;

        /// <summary>The loss of an update: <c>grpo</c> (Flow-GRPO, the default) or <c>nft</c> (negative-aware fine-tuning).</summary>
        public ObjectiveKind Objective { get; init; } = ObjectiveKind.Grpo;

        /// <summary>NFT: strength β of the implicit positive/negative policies v_old ± β(v_θ − v_old).</summary>
        public double NftBeta { get; init; } = 1.0;

        /// <summary>NFT: re-noising times t ~ U(0, 1) drawn per image and epoch (each costs one forward+backward).</summary>
        public int NftTimesteps { get; init; } = 2;

        /// <summary>NFT: advantage that maps to optimality 1 (r = ½ + ½·clip(A / scale, −1, 1)).</summary>
        public double NftAdvantageScale { get; init; } = 1.0;

        /// <summary>
        /// NFT: decay η of the sampling policy, a soft copy of the trained one updated after each epoch's updates
        /// (θ_old ← η·θ_old + (1 − η)·θ; DiffusionNFT's off-policy mode). Rollouts and v_old come from it.
        /// 0 = the trained policy itself at sampling time (on-policy).
        /// </summary>
        public double NftSamplingDecay { get; init; }

        /// <summary>LoRA rank.</summary>
        public int LoraRank { get; init; } = 32;

        /// <summary>LoRA alpha.</summary>
        public double LoraAlpha { get; init; } = 64;

        /// <summary>LoRA target layers (suffixes of Linear paths).</summary>
        public List<string> LoraTargets { get; init; } = ["q_proj", "k_proj", "v_proj", "out_proj", "qkv", "out"];

        /// <summary>Every problem.</summary>
        public IEnumerable<string> Validate()
        {
            if (!(LearningRate > 0))
            {
                yield return $"train.learning_rate must be positive, got {LearningRate}";
            }
            if (!(AdamBeta1 is >= 0 and < 1) || !(AdamBeta2 is >= 0 and < 1))
            {
                yield return $"train.adam_beta1/adam_beta2 must be in [0, 1), got {AdamBeta1}/{AdamBeta2}";
            }
            if (!(ClipRange > 0))
            {
                yield return $"train.clip_range must be positive, got {ClipRange}";
            }
            if (!(AdvClipMax > 0))
            {
                yield return $"train.adv_clip_max must be positive, got {AdvClipMax}";
            }
            if (!(TimestepFraction is > 0 and <= 1))
            {
                yield return $"train.timestep_fraction must be in (0, 1], got {TimestepFraction}";
            }
            if (!(Beta >= 0))
            {
                yield return $"train.beta must be >= 0, got {Beta}";
            }
            if (UpdatesPerEpoch < 1)
            {
                yield return $"train.updates_per_epoch must be >= 1, got {UpdatesPerEpoch}";
            }
            if (!(MaxGradNorm > 0))
            {
                yield return $"train.max_grad_norm must be positive, got {MaxGradNorm}";
            }
            if (!(EmaDecay is >= 0 and < 1) || EmaUpdateEvery < 1)
            {
                yield return $"train.ema_decay must be in [0, 1) and ema_update_every >= 1, got {EmaDecay}, {EmaUpdateEvery}";
            }
            if (!(NftBeta > 0) || NftTimesteps < 1 || !(NftAdvantageScale > 0))
            {
                yield return $"train.nft_beta and train.nft_advantage_scale must be positive and train.nft_timesteps >= 1, got {NftBeta}, {NftAdvantageScale}, {NftTimesteps}";
            }
            if (!(NftSamplingDecay is >= 0 and < 1))
            {
                yield return $"train.nft_sampling_decay must be in [0, 1), got {NftSamplingDecay}";
            }
            if (LoraRank < 1 || !(LoraAlpha > 0))
            {
                yield return $"train.lora_rank must be >= 1 and lora_alpha > 0, got {LoraRank}, {LoraAlpha}";
            }
        }
    }
}
