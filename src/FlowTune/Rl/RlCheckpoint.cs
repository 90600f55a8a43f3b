using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Nn;
using FlowTune.Rl.Config;
using FlowTune.Rl.Groups;
using FlowTune.Rl.Update;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl;

/// <summary>
/// An RL checkpoint folder (docs/FORMATS.md): <c>trainable.safetensors</c> (the trained parameters: adapters or the
/// whole network), the shared <see cref="CheckpointFiles"/> (<c>ema.safetensors</c>: the EMA values of the trained
/// parameters only, <c>optimizer.safetensors</c>, <c>trainer_state.json</c>: epoch, global step, seed, resolved
/// config), <c>sampling.safetensors</c> (a separate sampling policy's trained parameters), the group planner's state (<c>prompt_stats.json</c> for adaptive groups), the per-prompt success
/// trackers (<c>success_trackers.json</c>) and the evaluation weights as <see cref="IPolicyNetwork.Export"/> writes
/// them, loadable by <c>flowtune eval</c> (<c>model.json</c> + <c>model.safetensors</c> for our models; for an SD3
/// pipeline <c>policy.json</c> + <c>transformer.safetensors</c>, the adapters only, pointing at the base folder). Random
/// state needs no saving: every epoch's randomness derives from (seed, epoch).
/// </summary>
public sealed class RlCheckpoint(RlConfig config, PolicyModels models, AdamW optimizer, PolicyUpdater updater, IGroupPlanner planner, SuperFlow.PromptSuccessTrackers trackers)
{
    /// <summary>The trained parameters.</summary>
    public const string TrainableFile = "trainable.safetensors";

    /// <summary>The sampling policy's weights.</summary>
    public const string SamplingFile = "sampling.safetensors";

    /// <summary>What trainer_state.json holds.</summary>
    public sealed record State(int Epoch, long GlobalStep, int Seed, string Config);

    /// <summary>Writes the checkpoint into <paramref name="directory"/>.</summary>
    public void Save(string directory, int epoch)
    {
        TensorFile.Save(Path.Combine(directory, TrainableFile), models.Trainable);
        if (models.EmaModel is not null)
        {
            CheckpointFiles.SaveNamed(Path.Combine(directory, CheckpointFiles.Ema), models.EmaModel.Weights, TrainedNames);
        }
        if (models.SamplingPolicy is not null)
        {
            CheckpointFiles.SaveNamed(Path.Combine(directory, SamplingFile), models.SamplingPolicy.Weights, TrainedNames);
        }
        CheckpointFiles.SaveOptimizer(directory, optimizer);
        Json.Write(Path.Combine(directory, CheckpointFiles.State), new State(epoch, updater.GlobalStep, config.Seed, RlConfigLoader.ToYaml(config)));
        planner.Save(directory);
        trackers.Save(directory);
        models.ForEvaluation.Export(directory);
    }

    /// <summary>The trained parameters' names: what the EMA and sampling copies hold apart from the frozen base.</summary>
    private List<string> TrainedNames => [.. models.Trainable.Select(p => p.Key)];

    /// <summary>Restores a checkpoint written by <see cref="Save"/>; returns its epoch.</summary>
    public int Restore(string directory)
    {
        var (trainable, _) = TensorFile.Load(Path.Combine(directory, TrainableFile));
        using (Autograd.NoGrad())
        {
            foreach (var (name, p) in models.Trainable)
            {
                if (!trainable.TryGetValue(name, out var saved))
                {
                    throw new InvalidDataException($"{directory}: {TrainableFile} has no '{name}'");
                }
                p.Copy_(saved);
            }
        }
        TensorFile.DisposeAll(trainable);
        if (models.EmaModel is not null)
        {
            CheckpointFiles.LoadNamed(Path.Combine(directory, CheckpointFiles.Ema), models.EmaModel.Weights, TrainedNames);
        }
        if (models.SamplingPolicy is not null)
        {
            var sampling = Path.Combine(directory, SamplingFile);
            var schedule = config.Objective.Needs.SamplingPolicy;
            if (File.Exists(sampling))
            {
                CheckpointFiles.LoadNamed(sampling, models.SamplingPolicy.Weights, TrainedNames);
            }
            else if (schedule is null || schedule.AlwaysOnPolicy)
            {
                models.AdvanceSamplingPolicy(0); // checkpoints from before sampling.safetensors: on-policy, a copy of θ
            }
            else
            {
                throw new InvalidDataException($"{directory}: no {SamplingFile}, needed to resume with the sampling-policy schedule {schedule}");
            }
        }
        CheckpointFiles.LoadOptimizer(directory, optimizer);
        var state = Json.Read<State>(Path.Combine(directory, CheckpointFiles.State));
        updater.GlobalStep = state.GlobalStep;
        planner.Restore(directory);
        trackers.Restore(directory);
        return state.Epoch;
    }
}
