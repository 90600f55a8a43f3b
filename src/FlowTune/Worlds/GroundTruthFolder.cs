using FlowTune.Common;
using FlowTune.Imaging;
using FlowTune.IO;

namespace FlowTune.Worlds;

/// <summary>
/// Writes a world's ground-truth renders of every prompt in GenEval's folder layout (<see cref="GenEvalImageFolder"/>),
/// plus <c>grid.png</c> with the first image of the first prompts: the images a perfect generator would make.
/// </summary>
public static class GroundTruthFolder
{
    /// <summary>Renders and writes the images; returns how many images were written.</summary>
    /// <param name="world">The world whose renderer draws the scenes.</param>
    /// <param name="entries">The prompts, in metadata-file order.</param>
    /// <param name="directory">The layout's root folder (created if needed).</param>
    /// <param name="options">Images per prompt, size, seed, grid.</param>
    public static int Write(IWorld world, IReadOnlyList<GenEvalEntry> entries, string directory, GroundTruthRenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        Validation.ThrowIfAny(options.Validate(), "ground-truth render options");
        Directory.CreateDirectory(directory);
        var grid = new List<RgbImage>();
        for (var p = 0; p < entries.Count; p++)
        {
            Directory.CreateDirectory(GenEvalImageFolder.SamplesFolder(directory, p));
            GenEvalMetadata.WriteFile(GenEvalImageFolder.MetadataFile(directory, p), [entries[p]]);
            for (var k = 0; k < options.SamplesPerPrompt; k++)
            {
                var image = world.RenderGroundTruth(entries[p], options.ImageSize, RandomExtensions.DeriveSeed(options.Seed, p * 1000L + k));
                PngWriter.WriteFile(GenEvalImageFolder.SampleFile(directory, p, k), image);
                if (k == 0 && grid.Count < options.GridPrompts)
                {
                    grid.Add(image);
                }
            }
        }
        if (grid.Count > 0)
        {
            PngGridWriter.WriteFile(Path.Combine(directory, "grid.png"), grid, columns: options.GridColumns);
        }
        return entries.Count * options.SamplesPerPrompt;
    }
}
