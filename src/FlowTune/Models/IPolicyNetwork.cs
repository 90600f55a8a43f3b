using FlowTune.Nn;

namespace FlowTune.Models;

/// <summary>
/// A velocity model RL can fine-tune (docs/SD3.md "RL on a pipeline"): one module trains (adapters attach to it, or
/// it is unfrozen whole), everything else (text encoders, a VAE) stays frozen and is shared by the copies RL keeps
/// (reference, EMA, sampling policy). FlowTune's own <see cref="FlowModel"/> and an SD3 pipeline implement it.
/// </summary>
public interface IPolicyNetwork : IVelocityModel, IDisposable
{
    /// <summary>
    /// The module whose parameter names are the checkpoint keys (a <see cref="FlowModel"/>: itself, names starting
    /// <c>text.</c>/<c>net.</c>; an SD3 pipeline: its transformer, diffusers' names).
    /// </summary>
    Module Weights { get; }

    /// <summary>The part that trains: LoRA adapters attach to it, full fine-tuning unfreezes it. Part of <see cref="Weights"/>.</summary>
    Module Trained { get; }

    /// <summary>
    /// A second instance with the current values of <see cref="Weights"/> except adapters (none are copied), sharing
    /// this one's frozen components, in evaluation mode. Disposing it frees only what it does not share.
    /// </summary>
    IPolicyNetwork CopyWithoutAdapters();

    /// <summary>What identifies the architecture and its frozen inputs (config, vocabulary): with the weights, the key of an evaluation cache.</summary>
    string Describe();

    /// <summary>
    /// Writes this network, as it is now, as a folder <c>flowtune eval</c>/<c>sample</c> load (<see cref="PolicyNetworks.Load"/>):
    /// a FlowTune model (adapters merged) or, for a pipeline, the trained part and a pointer to the base folder.
    /// </summary>
    void Export(string directory);
}
