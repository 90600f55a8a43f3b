using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Rewards;

/// <summary>
/// A simple colour reward that a few lines of standard-library Python compute identically (see
/// <c>tools/reward_server/reward_server.py</c>): the fraction of object pixels whose colour is one the prompt names.
/// </summary>
/// <remarks>
/// <para>Everything works on the 8-bit pixels a PNG of the image holds (<see cref="PngWriter.ToByte"/>), in
/// integer arithmetic, so a server that decodes the PNG gets bit-identical scores.</para>
/// <para>A pixel is an object pixel when its largest channel is at least <see cref="ForegroundThreshold"/> (the
/// shapes world's background sits near 20, its palette colours at 216 or more). Its colour is the nearest
/// <see cref="Palette"/> entry in chromaticity (RGB divided by the largest channel; squared distances compared
/// exactly by cross-multiplication; ties go to the earlier entry).</para>
/// <para>Colour words are the runs of ASCII letters of the prompt, lower-cased, that are palette names. Score:
/// <c>colour_match</c> = matching object pixels / object pixels; when the prompt names no palette colour every
/// object pixel matches (so 1); 0 when the image has no object pixel. Components: <c>colour_match</c> (the score)
/// and <c>coverage</c> (object pixels / all pixels).</para>
/// </remarks>
public sealed class ColourReward : IRewardFunction
{
    /// <summary>Smallest largest-channel byte of an object pixel.</summary>
    public const int ForegroundThreshold = 96;

    /// <summary>The shapes world's palette as PNG bytes (<see cref="PngWriter.ToByte"/> of each channel), in
    /// <see cref="ShapeColor"/> order.</summary>
    public static IReadOnlyList<(string Name, byte Red, byte Green, byte Blue)> Palette { get; } = ShapeVocabulary.Colors
        .Select(c =>
        {
            var (r, g, b) = ShapeVocabulary.Rgb(c);
            return (ShapeVocabulary.Name(c), PngWriter.ToByte(r), PngWriter.ToByte(g), PngWriter.ToByte(b));
        })
        .ToArray();

    /// <inheritdoc />
    public string Name => "colour";

    /// <inheritdoc />
    public RewardBatch Score(IReadOnlyList<RgbImage> images, IReadOnlyList<RewardPrompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(prompts);
        if (images.Count != prompts.Count)
        {
            throw new ArgumentException($"{images.Count} images but {prompts.Count} prompts");
        }

        var match = new double[images.Count];
        var coverage = new double[images.Count];
        Parallel.For(0, images.Count, i => (match[i], coverage[i]) = ScoreOne(images[i], prompts[i].Prompt));
        return new RewardBatch(match, new Dictionary<string, double[]> { ["colour_match"] = match, ["coverage"] = coverage });
    }

    /// <summary>The palette indices of the colour words in a prompt (see the class remarks).</summary>
    /// <param name="prompt">The prompt text.</param>
    public static IReadOnlySet<int> NamedColours(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var named = new HashSet<int>();
        int start = -1;
        for (int i = 0; i <= prompt.Length; i++)
        {
            bool letter = i < prompt.Length && char.IsAsciiLetter(prompt[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                string word = prompt[start..i].ToLowerInvariant();
                for (int k = 0; k < Palette.Count; k++)
                {
                    if (Palette[k].Name == word)
                    {
                        named.Add(k);
                    }
                }

                start = -1;
            }
        }

        return named;
    }

    /// <summary>The nearest palette index of one 8-bit pixel in chromaticity (the largest channel must be &gt; 0).</summary>
    /// <param name="red">Red byte.</param>
    /// <param name="green">Green byte.</param>
    /// <param name="blue">Blue byte.</param>
    public static int NearestColour(int red, int green, int blue)
    {
        long max = Math.Max(red, Math.Max(green, blue));
        int best = -1;
        long bestDistance = 0;
        long bestScale = 1;
        for (int k = 0; k < Palette.Count; k++)
        {
            var p = Palette[k];
            long pMax = Math.Max(p.Red, Math.Max(p.Green, p.Blue));
            long dr = (red * pMax) - (p.Red * max);
            long dg = (green * pMax) - (p.Green * max);
            long db = (blue * pMax) - (p.Blue * max);

            // The chromaticity distance² is distance / (max² · pMax²); max² is common to all entries.
            long distance = (dr * dr) + (dg * dg) + (db * db);
            long scale = pMax * pMax;
            if (best < 0 || distance * bestScale < bestDistance * scale)
            {
                best = k;
                bestDistance = distance;
                bestScale = scale;
            }
        }

        return best;
    }

    private static (double Match, double Coverage) ScoreOne(RgbImage image, string prompt)
    {
        IReadOnlySet<int> named = NamedColours(prompt);
        int plane = image.PlaneSize;
        float[] data = image.Data;
        long foreground = 0;
        long matching = 0;
        for (int i = 0; i < plane; i++)
        {
            int r = PngWriter.ToByte(data[i]);
            int g = PngWriter.ToByte(data[plane + i]);
            int b = PngWriter.ToByte(data[(2 * plane) + i]);
            if (Math.Max(r, Math.Max(g, b)) < ForegroundThreshold)
            {
                continue;
            }

            foreground++;
            if (named.Count == 0 || named.Contains(NearestColour(r, g, b)))
            {
                matching++;
            }
        }

        double match = foreground == 0 ? 0.0 : matching / (double)foreground;
        return (match, foreground / (double)plane);
    }
}
