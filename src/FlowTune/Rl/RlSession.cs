using FlowTune.Distributed;
using FlowTune.Common;
using FlowTune.Nn;
using FlowTune.Rewards;
using FlowTune.Rl.Config;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.Advantages;
using FlowTune.Rl.Scoring;
using FlowTune.Rl.SuperFlow;
using FlowTune.Rl.Update;
using FlowTune.Worlds;

namespace FlowTune.Rl;

/// <summary>
/// The stages a config names, built once and wired into an <see cref="RlEpoch"/>: the prompt draw, the models and
/// optimizer, the objective and updater, the group planner, the rollout sampler, the reward stage and the advantage
/// estimator. <see cref="RlTrainer"/> adds evaluation, checkpoints and logs around it; benchmarks run its epochs bare.
/// </summary>
public sealed class RlSession : IDisposable
{
    /// <summary>
    /// Loads the base model and the prompts and builds every stage (validates the config first);
    /// <paramref name="parallel"/>: the data-parallel job the epochs run in (default: this process alone);
    /// <paramref name="log"/>: where a reward server's retries are reported.
    /// </summary>
    public RlSession(RlConfig config, DataParallel? parallel = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validation.ThrowIfAny(config.Validate(), "RL config");
        Config = config;
        World = WorldRegistry.Get(config.Pretrained.World);
        var (train, test) = World.DefaultPrompts();
        Test = config.Prompts.Test is { } te ? GenEvalMetadata.ParseFile(te) : test;
        Prompts = new PromptDraw(new GenEvalPromptSource(config.Prompts.Train is { } tr ? GenEvalMetadata.ParseFile(tr) : train), config.Prompts);
        var needs = config.Objective.Needs;
        Models = new PolicyModels(config.Pretrained.Model, config.Seed, config.Train, needs, config.Pretrained.Pipeline);
        Optimizer = PolicyUpdater.CreateOptimizer(config.Train, Models);
        var objective = config.Objective.Create(new ObjectiveContext(config.Seed, Models, config.Sample));
        Updater = new PolicyUpdater(config.Train, Models, Optimizer, objective, needs.SamplingPolicy);
        Trackers = new PromptSuccessTrackers(config.Trackers);
        Planner = config.Groups.Create(config.Seed, Trackers);
        var sampler = new RolloutSampler(config.Sample, config.Seed, Models.RolloutPolicy, needs.Trajectory, config.Advantages.NeedsStepValues);
        _reward = RewardRegistry.Create(config.Reward, World, log);
        var rewards = new RewardStage(new AsyncRewardScorer(_reward));
        Epoch = new RlEpoch(Planner, sampler, rewards, config.Advantages.Create(new AdvantageContext(Trackers)), Updater, Trackers, config.Seed,
            config.Groups.VariableGroupSizes, config.Sample.NoiseLevel, parallel);
    }

    private readonly IRewardFunction _reward;

    /// <summary>The resolved config.</summary>
    public RlConfig Config { get; }

    /// <summary>The world (its judge scores evaluations).</summary>
    public IWorld World { get; }

    /// <summary>The evaluation prompts.</summary>
    public IReadOnlyList<GenEvalEntry> Test { get; }

    /// <summary>The training prompts and how an epoch draws them.</summary>
    public PromptDraw Prompts { get; }

    /// <summary>Policy, reference, sampling and EMA networks.</summary>
    public PolicyModels Models { get; }

    /// <summary>The optimizer of the trainable parameters.</summary>
    public AdamW Optimizer { get; }

    /// <summary>The update stage (its global step is checkpointed).</summary>
    public PolicyUpdater Updater { get; }

    /// <summary>The group planner (its state is checkpointed).</summary>
    public IGroupPlanner Planner { get; }

    /// <summary>The per-prompt success trackers (checkpointed).</summary>
    public PromptSuccessTrackers Trackers { get; }

    /// <summary>The epoch pipeline.</summary>
    public RlEpoch Epoch { get; }

    /// <summary>Runs epoch <paramref name="epoch"/> (0-based).</summary>
    public EpochResult RunEpoch(int epoch, TrainingClock clock) => Epoch.Run(epoch, Prompts, clock);

    /// <summary>Frees the models and the optimizer state.</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        Models.Dispose();
        (_reward as IDisposable)?.Dispose();
    }
}
