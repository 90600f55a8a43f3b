using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>
/// The judge's verdict on images on disk in GenEval's folder layout (<see cref="GenEvalImageFolder"/>): every PNG of
/// every prompt's <c>samples/</c> folder, scored against that prompt.
/// </summary>
/// <param name="Accuracy">Per-tag strict accuracy (and GenEval's overall, the mean of the tags).</param>
/// <param name="MeanReward">Mean partial-credit reward over all images.</param>
/// <param name="Images">Images scored.</param>
public sealed record ImageFolderScore(GenEvalAccuracy Accuracy, double MeanReward, int Images)
{
    /// <summary>Scores a folder; every prompt must have at least one image, and every image must be a readable PNG.</summary>
    /// <param name="directory">The layout's root folder.</param>
    /// <param name="entries">The metadata file the images were made for, in file order.</param>
    /// <param name="judge">The world's judge.</param>
    public static ImageFolderScore Measure(string directory, IReadOnlyList<GenEvalEntry> entries, IImageJudge judge)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(judge);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"image folder not found: {directory}");
        }
        var accuracy = new GenEvalAccuracy();
        double reward = 0;
        var count = 0;
        for (var p = 0; p < entries.Count; p++)
        {
            var samples = GenEvalImageFolder.SamplesFolder(directory, p);
            var files = Directory.Exists(samples) ? Directory.GetFiles(samples, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
            if (files.Length == 0)
            {
                throw new InvalidDataException($"{samples}: no PNG images for prompt {p} ('{entries[p].Prompt}')");
            }
            foreach (var file in files)
            {
                var score = judge.Score(Read(file), entries[p]);
                accuracy.Add(entries[p].Tag, score.Correct);
                reward += score.Reward;
                count++;
            }
        }
        return new ImageFolderScore(accuracy, count == 0 ? double.NaN : reward / count, count);
    }

    private static RgbImage Read(string file)
    {
        try
        {
            return PngReader.ReadFile(file);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }
}
