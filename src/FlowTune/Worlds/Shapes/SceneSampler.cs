using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Samples unconditioned scenes: a uniform number of objects in [MinObjects, MaxObjects], each with a uniform
/// shape, colour and size, placed without overlap. All randomness comes from the caller's generator.
/// </summary>
public sealed class SceneSampler
{
    private readonly ShapesWorldOptions _options;
    private readonly ScenePlacer _placer;

    /// <summary>Creates a sampler.</summary>
    /// <param name="options">World geometry; the 32×32 defaults when null.</param>
    public SceneSampler(ShapesWorldOptions? options = null)
    {
        _options = options ?? new ShapesWorldOptions();
        _placer = new ScenePlacer(_options);
    }

    /// <summary>The geometry in use.</summary>
    public ShapesWorldOptions Options => _options;

    /// <summary>Samples a scene.</summary>
    /// <param name="random">The generator.</param>
    public Scene Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        while (true)
        {
            int count = random.Next(_options.MinObjects, _options.MaxObjects + 1);
            var specs = new List<(ShapeKind, ShapeColor, double)>(count);
            for (int i = 0; i < count; i++)
            {
                specs.Add((random.Pick(ShapeVocabulary.Shapes), random.Pick(ShapeVocabulary.Colors), SampleSize(random)));
            }

            Scene? scene = _placer.TryPlace(specs, random, accept: null);
            if (scene is not null)
            {
                return scene;
            }
        }
    }

    /// <summary>Samples and renders a scene from one seed.</summary>
    /// <param name="seed">The seed of both the scene and its rendering.</param>
    public (Scene Scene, RgbImage Image) SampleAndRender(int seed)
    {
        var random = new Random(seed);
        Scene scene = Sample(random);
        return (scene, ShapesRenderer.Render(scene, random.Next()));
    }

    /// <summary>A uniform object size within the options' range.</summary>
    /// <param name="random">The generator.</param>
    public double SampleSize(Random random) => random.NextDouble(_options.MinObjectSize, _options.MaxObjectSize);
}
