using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Rl;

/// <summary>
/// A GRPO checkpoint folder: <c>trainable.safetensors</c> (the trained parameters: adapters or the whole network),
/// <c>ema.safetensors</c>, <c>sampling.safetensors</c> (NFT's sampling policy), <c>optimizer.safetensors</c>, <c>trainer_state.json</c> (epoch, global step, seed,
/// resolved config), <c>prompt_stats.json</c> (SuperFlow's per-prompt reward trackers) and <c>model.json</c> + <c>model.safetensors</c> (the evaluation weights, loadable by
/// <c>flowtune eval</c>). Random state needs no saving: every epoch's randomness derives from (seed, epoch).
/// </summary>
public sealed class GrpoCheckpoint(GrpoConfig config, GrpoPolicy policy, AdamW optimizer, GrpoUpdater updater, SuperFlow.PromptRewardTracker tracker)
{
    /// <summary>What trainer_state.json holds.</summary>
    public sealed record State(int Epoch, long GlobalStep, int Seed, string Config);

    /// <summary>Writes the checkpoint into <paramref name="directory"/>.</summary>
    public void Save(string directory, int epoch)
    {
        TensorFile.Save(Path.Combine(directory, "trainable.safetensors"), policy.Trainable);
        if (policy.EmaModel is not null)
        {
            TensorFile.Save(Path.Combine(directory, "ema.safetensors"), policy.EmaModel.StateDict());
        }
        if (policy.SamplingPolicy is not null)
        {
            TensorFile.Save(Path.Combine(directory, "sampling.safetensors"), policy.SamplingPolicy.StateDict());
        }
        var (tensors, meta) = optimizer.StateDict();
        TensorFile.Save(Path.Combine(directory, "optimizer.safetensors"), tensors, meta);
        Json.Write(Path.Combine(directory, "trainer_state.json"), new State(epoch, updater.GlobalStep, config.Seed, GrpoConfigLoader.ToYaml(config)));
        Json.Write(Path.Combine(directory, "prompt_stats.json"), tracker.Snapshot());
        ModelCheckpoint.Save(directory, policy.ForEvaluation);
    }

    /// <summary>Restores a checkpoint written by <see cref="Save"/>; returns its epoch.</summary>
    public int Restore(string directory)
    {
        var (trainable, _) = TensorFile.Load(Path.Combine(directory, "trainable.safetensors"));
        using (Autograd.NoGrad())
        {
            foreach (var (name, p) in policy.Trainable)
            {
                if (!trainable.TryGetValue(name, out var saved))
                {
                    throw new InvalidDataException($"{directory}: trainable.safetensors has no '{name}'");
                }
                p.Copy_(saved);
            }
        }
        DisposeAll(trainable);
        if (policy.EmaModel is not null)
        {
            ModelCheckpoint.LoadWeights(policy.EmaModel, Path.Combine(directory, "ema.safetensors"));
        }
        if (policy.SamplingPolicy is not null)
        {
            var sampling = Path.Combine(directory, "sampling.safetensors");
            if (File.Exists(sampling))
            {
                ModelCheckpoint.LoadWeights(policy.SamplingPolicy, sampling);
            }
            else if (config.Train.NftSamplingDecay == 0)
            {
                policy.AdvanceSamplingPolicy(0); // checkpoints from before sampling.safetensors: on-policy, a copy of θ
            }
            else
            {
                throw new InvalidDataException($"{directory}: no sampling.safetensors, needed to resume with train.nft_sampling_decay {config.Train.NftSamplingDecay}");
            }
        }
        var (tensors, meta) = TensorFile.Load(Path.Combine(directory, "optimizer.safetensors"));
        optimizer.LoadStateDict(tensors, meta);
        DisposeAll(tensors);
        var state = Json.Read<State>(Path.Combine(directory, "trainer_state.json"));
        updater.GlobalStep = state.GlobalStep;
        var stats = Path.Combine(directory, "prompt_stats.json");
        if (File.Exists(stats))
        {
            tracker.Restore(Json.Read<Dictionary<string, SuperFlow.PromptRewardTracker.Stats>>(stats));
        }
        return state.Epoch;
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }
}
