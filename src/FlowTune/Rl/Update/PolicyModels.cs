using FlowTune.Models;
using FlowTune.Models.Sd3;
using FlowTune.Nn;
using FlowTune.Torch;

using FlowTune.Rl.Objectives;

namespace FlowTune.Rl.Update;

/// <summary>
/// The models of an RL run: the trained policy, the frozen reference (the base, kept only when the objective has an
/// anchor; with LoRA the same network with its adapters off), the sampling policy (objectives that sample with a
/// soft copy), and the EMA copy used for evaluation. The text encoder is frozen: prompts are encoded once per batch
/// at sampling time and reused by training.
/// </summary>
public sealed class PolicyModels : IPolicyNetworks, IDisposable
{
    private readonly IPolicyNetwork? _separateReference;
    private readonly EmaWeights? _samplingCopy;

    /// <summary>
    /// Loads the base model (a FlowTune model, an SD3 pipeline run with <paramref name="pipeline"/>, or an SD3 policy
    /// folder; <see cref="PolicyNetworks.Load"/>) and prepares the trainable parameters and the copies
    /// <paramref name="needs"/> asks for. Copies share the frozen components (text encoders, VAE) and come from memory.
    /// </summary>
    public PolicyModels(string baseModel, int seed, UpdateOptions train, ObjectiveNeeds needs, Sd3PipelineOptions? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(needs);
        UseLora = train.UseLora;
        HasReference = needs.Reference;
        Policy = PolicyNetworks.Load(baseModel, pipeline);
        try
        {
            Policy.Weights.Train(false);
            Policy.Weights.SetRequiresGrad(false);
            IReadOnlyList<string> AttachAdapters(IPolicyNetwork model)  // the same seeded adapters on every copy of the policy
            {
                using var generator = new Generator((ulong)seed);
                return Lora.Attach(model.Trained, train.LoraTargets, train.LoraRank, train.LoraAlpha, generator, train.LoraInit);
            }
            IPolicyNetwork CopyOfPolicy(ISet<string> trainable)  // same structure as the policy (adapters included); its trained values are copied by EmaWeights
            {
                var copy = Policy.CopyWithoutAdapters();
                copy.Weights.SetRequiresGrad(false);
                if (UseLora)
                {
                    AttachAdapters(copy);
                    copy.Weights.SetRequiresGrad(false);
                    ShareFrozenWeights(Policy.Weights, copy.Weights, trainable);
                }
                return copy;
            }
            if (UseLora)
            {
                AdaptedLayers = AttachAdapters(Policy);
            }
            else
            {
                if (needs.Reference)
                {
                    _separateReference = Policy.CopyWithoutAdapters();
                    _separateReference.Weights.SetRequiresGrad(false);
                }
                Policy.Trained.To(DType.Float32);   // float32 master weights under mixed precision (no-op otherwise)
                Policy.Trained.SetRequiresGrad(true);
            }
            Trainable = Policy.Weights.NamedParameters().Where(p => p.Value.RequiresGrad).ToList();
            var trainable = Trainable.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            if (train.Ema)
            {
                EmaModel = CopyOfPolicy(trainable);
                Ema = new EmaWeights(Policy.Weights, EmaModel.Weights, trainable.Contains);
            }
            if (needs.SamplingPolicy is not null)
            {
                SamplingPolicy = CopyOfPolicy(trainable);
                _samplingCopy = new EmaWeights(Policy.Weights, SamplingPolicy.Weights, trainable.Contains);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// The policy that samples the rollouts, kept apart from the trained one for objectives that contrast the two
    /// (NFT): a copy of the trained policy, moved toward it after each epoch's updates by
    /// <see cref="AdvanceSamplingPolicy"/>; null when the trained policy samples (Flow-GRPO).
    /// </summary>
    public IPolicyNetwork? SamplingPolicy { get; }

    /// <summary>The network that samples rollouts: <see cref="SamplingPolicy"/> when there is one, else the trained policy.</summary>
    public IPolicyNetwork RolloutPolicy => SamplingPolicy ?? Policy;

    /// <summary>
    /// After an epoch's updates: θ_old ← decay·θ_old + (1 − decay)·θ (decay 0 copies θ: the next rollouts are on-policy).
    /// Nothing to do without a <see cref="SamplingPolicy"/>.
    /// </summary>
    public void AdvanceSamplingPolicy(double decay) => _samplingCopy?.Update(decay);

    /// <summary>True when only LoRA adapters train.</summary>
    public bool UseLora { get; }

    /// <summary>Paths of the layers that carry adapters (LoRA runs).</summary>
    public IReadOnlyList<string> AdaptedLayers { get; } = [];

    /// <summary>The trained model.</summary>
    public IPolicyNetwork Policy { get; }

    IVelocityModel IPolicyNetworks.Policy => Policy;

    IVelocityModel? IPolicyNetworks.SamplingPolicy => SamplingPolicy;

    /// <summary>The parameters the optimizer updates (names are checkpoint keys: <see cref="IPolicyNetwork.Weights"/>' names).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Trainable { get; } = [];

    /// <summary>EMA copy of the policy (null when EMA is off).</summary>
    public IPolicyNetwork? EmaModel { get; }

    /// <summary>The EMA updater (null when EMA is off).</summary>
    public EmaWeights? Ema { get; }

    /// <summary>The model to evaluate and export: the EMA copy when there is one.</summary>
    public IPolicyNetwork ForEvaluation => EmaModel ?? Policy;

    /// <summary>Whether a reference policy is kept (the objective's <see cref="ObjectiveNeeds.Reference"/>).</summary>
    public bool HasReference { get; }

    /// <summary>Velocity of the reference policy (no gradient).</summary>
    public Tensor ReferenceVelocity(Func<IVelocityModel, Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        if (!HasReference)
        {
            throw new InvalidOperationException("no reference policy was kept: the objective's needs did not ask for one (ObjectiveNeeds.Reference)");
        }
        using var noGrad = Autograd.NoGrad();
        if (_separateReference is not null)
        {
            return forward(_separateReference);
        }
        Lora.SetEnabled(Policy.Trained, false);
        try
        {
            return forward(Policy);
        }
        finally
        {
            Lora.SetEnabled(Policy.Trained, true);
        }
    }

    /// <summary>
    /// Points every parameter and buffer of <paramref name="copy"/> that is not trained at <paramref name="policy"/>'s
    /// tensor, so the copies of a LoRA policy (EMA, sampling) hold their own adapters only and share the frozen base:
    /// one transformer in memory instead of one per copy (10 GB each for SD3.5-Medium in float32). Safe because
    /// nothing writes the frozen base during training.
    /// </summary>
    private static void ShareFrozenWeights(Module policy, Module copy, ISet<string> trainable)
    {
        var source = policy.StateDict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        using var noGrad = Autograd.NoGrad();
        foreach (var (name, tensor) in copy.StateDict())
        {
            if (!trainable.Contains(name))
            {
                tensor.SetData(source[name]);
            }
        }
    }

    /// <summary>Frees every model.</summary>
    public void Dispose()
    {
        Policy?.Dispose();
        _separateReference?.Dispose();
        EmaModel?.Dispose();
        SamplingPolicy?.Dispose();
    }
}
