using FlowTune.Common;
using System.Diagnostics;
using FlowTune.IO;
using FlowTune.Imaging;
using FlowTune.Models;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>
/// GenEval-style evaluation: ODE samples for every prompt, scored by the world's judge; per-tag strict accuracy,
/// overall = mean of the tag accuracies (GenEval's number), mean partial-credit reward, and a diversity figure
/// (mean pairwise pixel distance between samples of the same prompt). Writes eval.json, one grid per tag and
/// results.jsonl: every image's prompt, tag, verdict, reward and the judge's reasons for a failure (GenEval's
/// per-image results), so failures can be counted by cause.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Runs the evaluation; <paramref name="outputDirectory"/> (optional) receives eval.json, results.jsonl and grids;
    /// <paramref name="progress"/> hears of every batch (task <c>eval</c>, images).
    /// </summary>
    public static EvalReport Run(IVelocityModel model, IReadOnlyList<GenEvalEntry> entries, IImageJudge judge, EvalOptions options,
        string? outputDirectory = null, IProgress<ProgressReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(options);
        Validation.ThrowIfAny(options.Validate(), "evaluation options");
        var clock = Stopwatch.StartNew();
        var jobs = Plan(entries, options);                      // (entry index, sample index)
        var accuracy = new GenEvalAccuracy();
        var results = new List<EvalImageResult>();
        var imagesByPrompt = new Dictionary<int, List<RgbImage>>();
        var sampler = new OdeSamplerOptions { Steps = options.Steps, Solver = options.Solver, GuidanceScale = options.GuidanceScale, Shift = options.Shift, BatchSize = options.BatchSize };
        for (var start = 0; start < jobs.Count; start += options.BatchSize)
        {
            var batch = jobs.Skip(start).Take(options.BatchSize).ToList();
            using var generator = new Generator(Seeds.Derive(options.Seed, RandomStreams.EvalNoise, start));
            using var pixels = OdeSampler.Sample(model, batch.Select(j => entries[j.Entry].Prompt).ToList(), sampler, generator);
            var images = ImageTensors.ToImages(pixels);
            var scores = new GenEvalScore[images.Count];
            Parallel.For(0, images.Count, i => scores[i] = judge.Score(images[i], entries[batch[i].Entry]));
            for (var i = 0; i < images.Count; i++)
            {
                accuracy.Add(entries[batch[i].Entry].Tag, scores[i].Correct);
                var entry = entries[batch[i].Entry];
                results.Add(new EvalImageResult(entry.Prompt, GenEvalTags.Name(entry.Tag), batch[i].Sample, scores[i].Correct, scores[i].Reward, scores[i].Reasons,
                    scores[i].Correct ? GenEvalFailure.None : scores[i].Cause, scores[i].Causes));
                if (!imagesByPrompt.TryGetValue(batch[i].Entry, out var list))
                {
                    imagesByPrompt[batch[i].Entry] = list = [];
                }
                list.Add(images[i]);
            }
            progress?.Report(new ProgressReport("eval", Math.Min(start + options.BatchSize, jobs.Count), jobs.Count, "images"));
        }
        var tags = GenEvalTags.All.Where(t => accuracy.Count(t) > 0)
            .Select(t => new TagAccuracy(GenEvalTags.Name(t), accuracy.Accuracy(t), accuracy.Count(t), entries.Count(e => e.Tag == t), FailureShares(results, t)))
            .ToList();
        var report = new EvalReport(tags, tags.Average(t => t.Accuracy), results.Average(r => r.Reward), jobs.Count, clock.Elapsed.TotalSeconds,
            Diversity(imagesByPrompt.Values), options) { Results = results };
        if (outputDirectory is not null)
        {
            Write(outputDirectory, report, results, entries, imagesByPrompt);
        }
        return report;
    }

    /// <summary>Share of a tag's images failing by each cause (a judge that gives no cause counts as "unspecified").</summary>
    private static Dictionary<GenEvalFailure, double> FailureShares(List<EvalImageResult> results, GenEvalTag tag)
    {
        var name = GenEvalTags.Name(tag);
        var ofTag = results.Where(r => r.Tag == name).ToList();
        return ofTag.Where(r => !r.Correct).GroupBy(r => r.Cause).ToDictionary(g => g.Key, g => g.Count() / (double)ofTag.Count);
    }

    /// <summary>Which (prompt, sample) pairs to draw: SamplesPerPrompt each, more for tags with few prompts.</summary>
    internal static List<(int Entry, int Sample)> Plan(IReadOnlyList<GenEvalEntry> entries, EvalOptions options)
    {
        var perTag = entries.GroupBy(e => e.Tag).ToDictionary(g => g.Key, g => g.Count());
        var jobs = new List<(int, int)>();
        for (var e = 0; e < entries.Count; e++)
        {
            var n = Math.Max(options.SamplesPerPrompt, (int)Math.Ceiling(options.MinImagesPerTag / (double)perTag[entries[e].Tag]));
            for (var k = 0; k < n; k++)
            {
                jobs.Add((e, k));
            }
        }
        return jobs;
    }

    /// <summary>Mean over prompts of the mean pairwise RMS pixel distance between that prompt's samples.</summary>
    public static double Diversity(IEnumerable<IReadOnlyList<RgbImage>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var perPrompt = new List<double>();
        foreach (var g in groups)
        {
            if (g.Count < 2)
            {
                continue;
            }
            double sum = 0;
            var pairs = 0;
            for (var i = 0; i < g.Count; i++)
            {
                for (var j = i + 1; j < g.Count; j++)
                {
                    double d = 0;
                    var a = g[i].Data;
                    var b = g[j].Data;
                    for (var k = 0; k < a.Length; k++)
                    {
                        d += (a[k] - b[k]) * (a[k] - b[k]);
                    }
                    sum += Math.Sqrt(d / a.Length);
                    pairs++;
                }
            }
            perPrompt.Add(sum / pairs);
        }
        return perPrompt.Count == 0 ? double.NaN : perPrompt.Average();
    }

    private static void Write(string directory, EvalReport report, IReadOnlyList<EvalImageResult> results, IReadOnlyList<GenEvalEntry> entries,
        Dictionary<int, List<RgbImage>> imagesByPrompt)
    {
        Directory.CreateDirectory(directory);
        Json.Write(Path.Combine(directory, "eval.json"), report);
        var resultsPath = Path.Combine(directory, "results.jsonl");
        File.Delete(resultsPath);
        using (var writer = new JsonlWriter(resultsPath))
        {
            foreach (var r in results)
            {
                writer.Write(r);
            }
        }
        foreach (var tag in GenEvalTags.All)
        {
            var images = imagesByPrompt.Where(kv => entries[kv.Key].Tag == tag).OrderBy(kv => kv.Key)
                .SelectMany(kv => kv.Value.Take(4)).Take(32).ToList();
            if (images.Count > 0)
            {
                PngGridWriter.WriteFile(Path.Combine(directory, $"grid_{GenEvalTags.Name(tag)}.png"), images, columns: 8);
            }
        }
    }
}
