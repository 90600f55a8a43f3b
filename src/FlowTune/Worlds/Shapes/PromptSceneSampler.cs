using FlowTune.Imaging;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Samples a ground-truth scene that satisfies a metadata entry: exactly the required number of objects of each
/// include clause (colour as required, random otherwise), every position requirement met with a clear margin
/// (GenEval's test with a doubled dead zone and a 0.7 instead of 0.5 direction cutoff), and, with probability
/// <see cref="ExtraObjectProbability"/>, one distractor of a class that no clause mentions (so it can violate
/// neither an exclude clause nor a colour check). Throws <see cref="ArgumentException"/> for classes or colours
/// outside the shapes world and <see cref="InvalidOperationException"/> when the entry cannot be laid out.
/// </summary>
public sealed class PromptSceneSampler
{
    private readonly ShapesWorldOptions _options;
    private readonly ScenePlacer _placer;
    private readonly SceneSampler _sizes;

    /// <summary>Creates a sampler.</summary>
    /// <param name="options">World geometry; the 32×32 defaults when null.</param>
    public PromptSceneSampler(ShapesWorldOptions? options = null)
    {
        _options = options ?? new ShapesWorldOptions();
        _placer = new ScenePlacer(_options);
        _sizes = new SceneSampler(_options);
    }

    /// <summary>Chance of adding one distractor object when there is room.</summary>
    public double ExtraObjectProbability { get; init; } = 0.3;

    /// <summary>Dead-zone factor used when placing position prompts (GenEval scores with 0.1).</summary>
    public double PositionThreshold { get; init; } = 0.2;

    /// <summary>Direction cutoff used when placing position prompts (GenEval scores with 0.5).</summary>
    public double PositionCutoff { get; init; } = 0.7;

    /// <summary>Samples a scene for <paramref name="entry"/>.</summary>
    /// <param name="entry">The metadata entry.</param>
    /// <param name="random">The generator.</param>
    public Scene Sample(GenEvalEntry entry, Random random)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(random);
        var specs = new List<(ShapeKind Shape, ShapeColor Color, double Size)>();
        var groups = new List<List<int>>(); // indices into specs, per include clause
        foreach (IncludeClause clause in entry.Include)
        {
            ShapeKind shape = ParseShape(clause.ClassName);
            ShapeColor? color = clause.Color is null ? null : ParseColor(clause.Color);
            var group = new List<int>();
            for (int k = 0; k < clause.Count; k++)
            {
                group.Add(specs.Count);
                specs.Add((shape, color ?? random.Pick(ShapeVocabulary.Colors), _sizes.SampleSize(random)));
            }

            groups.Add(group);
        }

        if (specs.Count > _options.MaxObjects)
        {
            throw new InvalidOperationException($"\"{entry.Prompt}\" needs {specs.Count} objects; the world holds at most {_options.MaxObjects}.");
        }

        AddDistractor(entry, specs, random);
        Scene? scene = _placer.TryPlace(specs, random, placed => PositionsHold(entry, groups, placed));
        return scene ?? throw new InvalidOperationException($"Could not lay out \"{entry.Prompt}\" on a {_options.CanvasSize}-pixel canvas.");
    }

    /// <summary>Samples a scene for <paramref name="entry"/> and renders it, all from one seed.</summary>
    /// <param name="entry">The metadata entry.</param>
    /// <param name="seed">The seed.</param>
    public (Scene Scene, RgbImage Image) SampleAndRender(GenEvalEntry entry, int seed)
    {
        var random = new Random(seed);
        Scene scene = Sample(entry, random);
        return (scene, ShapesRenderer.Render(scene, random.Next()));
    }

    private void AddDistractor(GenEvalEntry entry, List<(ShapeKind Shape, ShapeColor Color, double Size)> specs, Random random)
    {
        var mentioned = entry.Include.Select(c => c.ClassName).Concat(entry.Exclude.Select(c => c.ClassName)).ToHashSet(StringComparer.Ordinal);
        var free = ShapeVocabulary.Shapes.Where(s => !mentioned.Contains(ShapeVocabulary.Name(s))).ToList();
        if (specs.Count < _options.MaxObjects && free.Count > 0 && random.NextDouble() < ExtraObjectProbability)
        {
            specs.Add((random.Pick(free), random.Pick(ShapeVocabulary.Colors), _sizes.SampleSize(random)));
        }
    }

    private bool PositionsHold(GenEvalEntry entry, List<List<int>> groups, IReadOnlyList<SceneObject> placed)
    {
        for (int i = 0; i < entry.Include.Count; i++)
        {
            PositionClause? position = entry.Include[i].Position;
            if (position is null)
            {
                continue;
            }

            foreach (int a in groups[i])
            {
                foreach (int b in groups[position.ReferenceIndex])
                {
                    if (!PositionRelations.Holds(Box(placed[a]), Box(placed[b]), position.Relation, PositionThreshold, PositionCutoff))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private static BoundingBox Box(SceneObject o) => new(o.Left, o.Top, o.Right, o.Bottom);

    private static ShapeKind ParseShape(string name) =>
        ShapeVocabulary.TryParseShape(name, out ShapeKind shape)
            ? shape
            : throw new ArgumentException($"\"{name}\" is not a shapes-world class.", nameof(name));

    private static ShapeColor ParseColor(string name) =>
        ShapeVocabulary.TryParseColor(name, out ShapeColor color)
            ? color
            : throw new ArgumentException($"\"{name}\" is not a shapes-world colour.", nameof(name));
}
