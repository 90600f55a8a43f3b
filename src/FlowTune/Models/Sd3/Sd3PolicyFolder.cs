using FlowTune.IO;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// A trained SD3 policy as a small folder (docs/FORMATS.md "SD3 policy folder"): <c>policy.json</c> names the base
/// pipeline folder, the options it is run with and the adapters (rank, alpha, adapted layers; null after full
/// fine-tuning), and <c>transformer.safetensors</c> holds the adapter tensors (or the whole transformer). Only what
/// training changed is written; the base stays where it is.
/// </summary>
public static class Sd3PolicyFolder
{
    /// <summary>The description file.</summary>
    public const string DescriptionFile = "policy.json";

    /// <summary>The trained tensors.</summary>
    public const string WeightsFile = "transformer.safetensors";

    /// <summary>The adapters of a LoRA policy.</summary>
    /// <param name="Rank">Adapter rank.</param>
    /// <param name="Alpha">Adapter alpha (scale = alpha / rank).</param>
    /// <param name="Layers">The adapted Linear paths in the transformer.</param>
    public sealed record Adapters(int Rank, double Alpha, IReadOnlyList<string> Layers);

    /// <summary>What <see cref="DescriptionFile"/> holds.</summary>
    /// <param name="Base">The base pipeline folder (absolute).</param>
    /// <param name="Options">How the base is loaded and run (image size, T5).</param>
    /// <param name="Lora">The adapters, or null when <see cref="WeightsFile"/> is the whole transformer.</param>
    public sealed record Description(string Base, Sd3PipelineOptions Options, Adapters? Lora);

    /// <summary>True when <paramref name="folder"/> holds a policy folder.</summary>
    public static bool IsPolicyFolder(string folder) => File.Exists(Path.Combine(folder, DescriptionFile));

    /// <summary>Writes <paramref name="pipeline"/>'s trained part into <paramref name="directory"/>.</summary>
    public static void Save(string directory, Sd3Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var (folder, options) = pipeline.Source ?? throw new InvalidOperationException("the pipeline has no source folder to point at (load it with Sd3PipelineLoader)");
        var adapted = pipeline.Transformer.NamedModules().Where(m => m.Value is Linear { Lora: not null }).ToList();
        Adapters? lora = null;
        if (adapted.Count > 0)
        {
            var first = ((Linear)adapted[0].Value).Lora!;
            var rank = (int)first.A.Size(0);
            lora = new Adapters(rank, first.Scale * rank, [.. adapted.Select(m => m.Key)]);
        }
        Directory.CreateDirectory(directory);
        var tensors = pipeline.Transformer.StateDict().Where(p => lora is null || Lora.IsAdapterParameter(p.Key));
        TensorFile.Save(Path.Combine(directory, WeightsFile), tensors);
        Json.Write(Path.Combine(directory, DescriptionFile), new Description(folder, options, lora));
    }

    /// <summary>Loads the base pipeline a policy folder names and applies its trained tensors (every key must match).</summary>
    public static Sd3Pipeline Load(string directory)
    {
        var path = Path.Combine(directory, DescriptionFile);
        var description = Json.Read<Description>(path);
        if (!Directory.Exists(description.Base))
        {
            throw new DirectoryNotFoundException($"{path}: the base pipeline folder '{description.Base}' does not exist");
        }
        var pipeline = Sd3PipelineLoader.Load(description.Base, description.Options);
        try
        {
            if (description.Lora is { } lora)
            {
                using var generator = new Generator(0);
                Lora.Attach(pipeline.Transformer, lora.Layers, lora.Rank, lora.Alpha, generator, LoraInit.Gaussian);
            }
            var weights = Path.Combine(directory, WeightsFile);
            var (tensors, _) = TensorFile.Load(weights);
            try
            {
                // strict: the file holds exactly the adapters (or the whole transformer)
                var notAdapters = tensors.Keys.Where(k => !Lora.IsAdapterParameter(k)).ToList();
                if (description.Lora is not null && notAdapters.Count > 0)
                {
                    throw new InvalidDataException($"{weights}: a LoRA policy's file holds only adapters, found '{notAdapters[0]}' ({notAdapters.Count} such keys)");
                }
                pipeline.Transformer.LoadStateDict(tensors, allowMissing: description.Lora is null ? null : name => !Lora.IsAdapterParameter(name));
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(weights, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{weights}: {e.Message}", e);
            }
            finally
            {
                TensorFile.DisposeAll(tensors);
            }
            pipeline.Transformer.Train(false);
            return pipeline;
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }
}
