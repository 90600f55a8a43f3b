using FlowTune.Models;
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
    private readonly FlowModel? _separateReference;
    private readonly EmaWeights? _samplingCopy;

    /// <summary>Loads the base model and prepares the trainable parameters and the copies <paramref name="needs"/> asks for.</summary>
    public PolicyModels(string baseModel, int seed, UpdateOptions train, ObjectiveNeeds needs)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(needs);
        UseLora = train.UseLora;
        HasReference = needs.Reference;
        Policy = ModelCheckpoint.Load(baseModel).Train(false) as FlowModel ?? throw new InvalidOperationException();
        Policy.SetRequiresGrad(false);
        var description = ModelCheckpoint.ReadDescription(baseModel);
        var baseState = Policy.StateDict().ToDictionary(p => p.Key, p => p.Value);
        FlowModel CopyOfBase()  // the weights are read from disk once; the reference and EMA copies come from memory
        {
            var copy = ModelCheckpoint.Create(description);
            copy.LoadStateDict(baseState);
            return (FlowModel)copy.Train(false);
        }
        IReadOnlyList<string> AttachAdapters(FlowModel model)  // the same seeded adapters on every copy of the policy
        {
            using var generator = new Generator((ulong)seed);
            return Lora.Attach(model.Net, train.LoraTargets, train.LoraRank, train.LoraAlpha, generator);
        }
        FlowModel CopyOfPolicy()  // same structure as the policy (adapters included); its values are copied by EmaWeights
        {
            var copy = CopyOfBase();
            if (UseLora)
            {
                AttachAdapters(copy);
            }
            return copy;
        }
        if (UseLora)
        {
            AdaptedLayers = AttachAdapters(Policy);
        }
        else
        {
            Policy.Net.SetRequiresGrad(true);
            if (needs.Reference)
            {
                _separateReference = CopyOfBase();
                _separateReference.SetRequiresGrad(false);
            }
        }
        Trainable = Policy.NamedParameters().Where(p => p.Value.RequiresGrad).ToList();
        if (train.Ema)
        {
            EmaModel = CopyOfPolicy();
            Ema = new EmaWeights(Policy, EmaModel);
        }
        if (needs.SamplingPolicy is not null)
        {
            SamplingPolicy = CopyOfPolicy();
            _samplingCopy = new EmaWeights(Policy, SamplingPolicy);
        }
    }

    /// <summary>
    /// The policy that samples the rollouts, kept apart from the trained one for objectives that contrast the two
    /// (NFT): a copy of the trained policy, moved toward it after each epoch's updates by
    /// <see cref="AdvanceSamplingPolicy"/>; null when the trained policy samples (Flow-GRPO).
    /// </summary>
    public FlowModel? SamplingPolicy { get; }

    /// <summary>The network that samples rollouts: <see cref="SamplingPolicy"/> when there is one, else the trained policy.</summary>
    public FlowModel RolloutPolicy => SamplingPolicy ?? Policy;

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
    public FlowModel Policy { get; }

    IVelocityModel IPolicyNetworks.Policy => Policy;

    IVelocityModel? IPolicyNetworks.SamplingPolicy => SamplingPolicy;

    /// <summary>The parameters the optimizer updates (names are checkpoint keys).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Trainable { get; }

    /// <summary>EMA copy of the policy (null when EMA is off).</summary>
    public FlowModel? EmaModel { get; }

    /// <summary>The EMA updater (null when EMA is off).</summary>
    public EmaWeights? Ema { get; }

    /// <summary>The model to evaluate and export: the EMA copy when there is one.</summary>
    public FlowModel ForEvaluation => EmaModel ?? Policy;

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
        Lora.SetEnabled(Policy.Net, false);
        try
        {
            return forward(Policy);
        }
        finally
        {
            Lora.SetEnabled(Policy.Net, true);
        }
    }

    /// <summary>Frees every model.</summary>
    public void Dispose()
    {
        Policy.Dispose();
        _separateReference?.Dispose();
        EmaModel?.Dispose();
        SamplingPolicy?.Dispose();
    }
}
