using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Trains the <see cref="ShapeClassifier"/> on degraded renders of single shapes: balanced classes, random colour,
/// size (slightly beyond the world's range), position and canvas (32 and 64), blur σ up to 1.2 px (scaled with the
/// canvas), noise σ up to 0.07 and colour jitter up to strength 1.3. Every sample has its own generator derived
/// from (seed, index), so the result is reproducible even though samples are generated in parallel. Training
/// takes about a second, so the detector loads shipped weights instead (<see cref="ShapeClassifierWeights"/>).
/// </summary>
internal static class ShapeClassifierTrainer
{
    /// <summary>Seed of the default classifier.</summary>
    public const int DefaultSeed = 20250101;

    /// <summary>Training samples per class of the default classifier.</summary>
    public const int DefaultSamplesPerClass = 700;

    public static ShapeClassifier Train(int seed, int samplesPerClass)
    {
        (List<float[]> samples, List<int> labels) = GenerateSamples(seed, samplesPerClass);
        return LinearDiscriminant.Fit(samples, labels, ShapeVocabulary.Shapes.Count, shrinkage: 0.02, temperature: 1.0);
    }

    public static (List<float[]> Samples, List<int> Labels) GenerateSamples(int seed, int samplesPerClass, double maxBlur = 1.2, double maxNoise = 0.07)
    {
        int classes = ShapeVocabulary.Shapes.Count;
        int total = samplesPerClass * classes;
        var features = new float[total][];
        // Each sample has its own generator seeded from (seed, index), so the parallel loop is deterministic.
        Parallel.For(0, total, i =>
        {
            var random = new Random(RandomExtensions.DeriveSeed(seed, i));
            int world = (i / classes) % 2 == 0 ? 32 : 64;
            features[i] = SampleFeatures((ShapeKind)(i % classes), world, random, maxBlur, maxNoise) ?? [];
        });
        var samples = new List<float[]>(total);
        var labels = new List<int>(total);
        for (int i = 0; i < total; i++)
        {
            if (features[i].Length > 0)
            {
                samples.Add(features[i]);
                labels.Add(i % classes);
            }
        }

        return (samples, labels);
    }

    // Renders one shape with the object sizes of a world canvas of side `world`, on a smaller canvas (3/4 of the
    // side) to save time; the object still covers well under the background percentile's 70%.
    private static float[]? SampleFeatures(ShapeKind shape, int world, Random random, double maxBlur, double maxNoise)
    {
        ShapesWorldOptions options = ShapesWorldOptions.ForCanvas(world);
        int canvas = world * 3 / 4;
        double size = random.NextDouble(options.MinObjectSize * 0.85, options.MaxObjectSize * 1.1);
        double margin = (size / 2) + options.EdgeMargin;
        var obj = new SceneObject(shape, random.Pick(ShapeVocabulary.Colors),
            random.NextDouble(margin, canvas - margin), random.NextDouble(margin, canvas - margin), size);
        RgbImage image = ShapesRenderer.Render(new Scene(canvas, canvas, [obj]), random.Next());
        double scale = world / 32.0;
        double blur = random.NextDouble() < 0.15 ? 0 : random.NextDouble(0, maxBlur) * scale;
        var degradation = new DegradationSpec(blur, random.NextDouble(0, maxNoise), random.NextDouble(0, 1.3));
        image = degradation.Apply(image, random.Next());
        ForegroundComponents fg = ForegroundComponents.Find(image, ShapesDetector.DefaultSaliencyThreshold);
        ForegroundComponent? largest = fg.Components.MaxBy(c => c.Pixels.Count);
        return largest is null ? null : ComponentMeasurement.Measure(image, fg, largest).Features;
    }
}
