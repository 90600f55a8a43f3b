using FlowTune.Models.Sd3;

namespace FlowTune.Models;

/// <summary>
/// Loads whatever a model path names (docs/FORMATS.md): a FlowTune model folder (<c>model.json</c>), a diffusers SD3
/// pipeline folder (<c>model_index.json</c>), or an SD3 policy folder written by RL (<c>policy.json</c>).
/// </summary>
public static class PolicyNetworks
{
    /// <summary>Loads the model in <paramref name="folder"/>; <paramref name="pipeline"/> sets how a pipeline folder is run (ignored otherwise).</summary>
    public static IPolicyNetwork Load(string folder, Sd3PipelineOptions? pipeline = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"model folder '{folder}' does not exist");
        }
        if (File.Exists(Path.Combine(folder, ModelCheckpoint.ConfigFile)))
        {
            return ModelCheckpoint.Load(folder);
        }
        if (Sd3PolicyFolder.IsPolicyFolder(folder))
        {
            return Sd3PolicyFolder.Load(folder);
        }
        if (File.Exists(Path.Combine(folder, "model_index.json")))
        {
            return Sd3PipelineLoader.Load(folder, pipeline);
        }
        throw new InvalidDataException($"'{folder}' is not a model folder: expected {ModelCheckpoint.ConfigFile} (FlowTune model), model_index.json (SD3 pipeline) or {Sd3PolicyFolder.DescriptionFile} (SD3 policy)");
    }
}
