using System.Diagnostics;
using System.Globalization;
using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// The acceptance measurements of the shapes world (<c>flowtune world selftest</c>): exact scene recovery on fresh
/// renders (clean and degraded), strict accuracy of ground-truth renders of the test prompts (clean and degraded),
/// and of wrong-prompt renders and pure noise (which must score near 0).
/// </summary>
public static class ShapesSelftest
{
    // Seeds far from those the tests and the classifier training use.
    private const int SceneSeed = 900_000_000;
    private const int PromptSeed = 910_000_000;
    private const int DegradeSeed = 920_000_000;

    /// <summary>Runs every measurement and prints it to <paramref name="output"/>.</summary>
    public static void Run(int renders, int imagesPerPrompt, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var stopwatch = Stopwatch.StartNew();
        var detector = new ShapesDetector();
        detector.Detect(new RgbImage(32, 32));
        output.WriteLine($"detector ready in {stopwatch.ElapsedMilliseconds} ms");
        foreach ((int canvas, int n) in new[] { (32, renders), (64, renders / 5) })
        {
            double blur = 0.8 * canvas / 32;
            SceneRecovery(output, detector, canvas, n, DegradationSpec.None);
            SceneRecovery(output, detector, canvas, n, DegradationSpec.Standard with { BlurSigma = blur });
        }

        (_, IReadOnlyList<GenEvalEntry> test) = new ShapesPromptSplit().Generate();
        var judge = new ShapesGenEval(detector);
        output.WriteLine($"test prompts: {test.Count}, {imagesPerPrompt} ground-truth renders each");
        PromptAccuracy(output, "ground truth, clean", judge, test, imagesPerPrompt, DegradationSpec.None, wrongPrompt: false);
        PromptAccuracy(output, "ground truth, blur 0.8 + noise 0.05 + jitter", judge, test, imagesPerPrompt, DegradationSpec.Standard, wrongPrompt: false);
        PromptAccuracy(output, "wrong prompt (render of a different prompt of the same tag), clean", judge, test, imagesPerPrompt, DegradationSpec.None, wrongPrompt: true);
        NoiseAccuracy(output, judge, test, imagesPerPrompt);
        output.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    private static void SceneRecovery(TextWriter output, ShapesDetector detector, int canvas, int n, DegradationSpec degradation)
    {
        var sampler = new SceneSampler(ShapesWorldOptions.ForCanvas(canvas));
        int exact = 0;
        double detectMs = 0;
        for (int i = 0; i < n; i++)
        {
            (Scene scene, RgbImage image) = sampler.SampleAndRender(SceneSeed + i);
            RgbImage input = degradation.Apply(image, DegradeSeed + i);
            long start = Stopwatch.GetTimestamp();
            var detections = detector.Detect(input).Where(d => d.Confidence > ShapesGenEval.DefaultScoringOptions.ConfidenceThreshold).ToList();
            detectMs += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            exact += Shapes.SceneRecovery.Matches(scene, detections) ? 1 : 0;
        }

        output.WriteLine($"exact scene recovery {canvas}x{canvas} [{Describe(degradation)}]: {100.0 * exact / n:F2}% ({exact} / {n}), detect {detectMs / n:F3} ms/image");
    }

    private static void PromptAccuracy(TextWriter output, string title, ShapesGenEval judge, IReadOnlyList<GenEvalEntry> prompts, int perPrompt, DegradationSpec degradation, bool wrongPrompt)
    {
        var sampler = new PromptSceneSampler();
        var accuracy = new GenEvalAccuracy();
        double reward = 0;
        int images = 0;
        for (int p = 0; p < prompts.Count; p++)
        {
            GenEvalEntry entry = prompts[p];
            GenEvalEntry rendered = wrongPrompt ? OtherOfSameTag(prompts, p) : entry;
            for (int k = 0; k < perPrompt; k++)
            {
                int seed = RandomExtensions.DeriveSeed(PromptSeed, (p * 1000L) + k);
                RgbImage image = degradation.Apply(sampler.SampleAndRender(rendered, seed).Image, seed ^ DegradeSeed);
                GenEvalScore score = judge.Score(image, entry);
                accuracy.Add(entry.Tag, score.Correct);
                reward += score.Reward;
                images++;
            }
        }

        output.WriteLine($"--- {title}: strict accuracy per tag, mean partial-credit reward {reward / images:F4}");
        output.WriteLine(accuracy.Format());
    }

    private static void NoiseAccuracy(TextWriter output, ShapesGenEval judge, IReadOnlyList<GenEvalEntry> prompts, int perPrompt)
    {
        var accuracy = new GenEvalAccuracy();
        double reward = 0;
        int images = 0;
        for (int p = 0; p < prompts.Count; p++)
        {
            for (int k = 0; k < perPrompt; k++)
            {
                var random = new Random(RandomExtensions.DeriveSeed(PromptSeed + 1, (p * 1000L) + k));
                var image = new RgbImage(32, 32);
                bool gaussian = k % 2 == 1;
                for (int i = 0; i < image.Data.Length; i++)
                {
                    image.Data[i] = gaussian ? (float)(0.5 + (0.25 * random.NextGaussian())) : (float)random.NextDouble();
                }

                GenEvalScore score = judge.Score(image.ClampInPlace(), prompts[p]);
                accuracy.Add(prompts[p].Tag, score.Correct);
                reward += score.Reward;
                images++;
            }
        }

        output.WriteLine($"--- pure noise images (uniform and Gaussian): strict accuracy per tag, mean partial-credit reward {reward / images:F4}");
        output.WriteLine(accuracy.Format());
    }

    // The prompt half-way round the same tag's list: paraphrases sit next to each other in the split's output,
    // so this is always a prompt with a different meaning.
    private static GenEvalEntry OtherOfSameTag(IReadOnlyList<GenEvalEntry> prompts, int index)
    {
        var sameTag = prompts.Where(e => e.Tag == prompts[index].Tag).ToList();
        int position = sameTag.IndexOf(prompts[index]);
        return sameTag[(position + Math.Max(1, sameTag.Count / 2)) % sameTag.Count];
    }

    private static string Describe(DegradationSpec d) =>
        d.IsIdentity ? "clean" : $"blur {d.BlurSigma:F1} px + noise {d.NoiseSigma:F2} + jitter {d.JitterStrength:F1}";
}
