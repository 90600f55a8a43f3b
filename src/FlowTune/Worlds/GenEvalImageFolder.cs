using System.Globalization;

namespace FlowTune.Worlds;

/// <summary>
/// Paths of GenEval's image-folder layout: prompt <c>p</c> of a metadata file owns <c>ROOT/NNNNN/</c> (five digits)
/// with its one-line <c>metadata.jsonl</c> and its images <c>samples/KKKK.png</c> (four digits).
/// </summary>
public static class GenEvalImageFolder
{
    /// <summary>The folder of prompt <paramref name="prompt"/>.</summary>
    /// <param name="root">The layout's root folder.</param>
    /// <param name="prompt">Index of the prompt in its metadata file.</param>
    public static string PromptFolder(string root, int prompt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prompt);
        return Path.Combine(root, prompt.ToString("D5", CultureInfo.InvariantCulture));
    }

    /// <summary>The folder holding prompt <paramref name="prompt"/>'s images.</summary>
    /// <param name="root">The layout's root folder.</param>
    /// <param name="prompt">Index of the prompt in its metadata file.</param>
    public static string SamplesFolder(string root, int prompt) => Path.Combine(PromptFolder(root, prompt), "samples");

    /// <summary>The metadata file of prompt <paramref name="prompt"/> (its entry alone).</summary>
    /// <param name="root">The layout's root folder.</param>
    /// <param name="prompt">Index of the prompt in its metadata file.</param>
    public static string MetadataFile(string root, int prompt) => Path.Combine(PromptFolder(root, prompt), "metadata.jsonl");

    /// <summary>The path of image <paramref name="sample"/> of prompt <paramref name="prompt"/>.</summary>
    /// <param name="root">The layout's root folder.</param>
    /// <param name="prompt">Index of the prompt in its metadata file.</param>
    /// <param name="sample">Index of the image among the prompt's images.</param>
    public static string SampleFile(string root, int prompt, int sample)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sample);
        return Path.Combine(SamplesFolder(root, prompt), sample.ToString("D4", CultureInfo.InvariantCulture) + ".png");
    }
}
