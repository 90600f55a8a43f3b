using System.Text.Json;

namespace FlowTune.Worlds.Shapes;

/// <summary>
/// The shape classifier's weights, shipped as the embedded resource <c>ShapeClassifier.json</c> next to this file.
/// Regenerate them after any change to <see cref="ShapeFeatures"/>, the renderer or the trainer (bump
/// <see cref="FormatVersion"/> when the features change) with
/// <c>dotnet run -c Release --project tools/WorldSelftest -- train-classifier src/FlowTune/Worlds/Shapes/ShapeClassifier.json</c>;
/// a test retrains with the default seed and compares.
/// </summary>
public static class ShapeClassifierWeights
{
    /// <summary>Identifies the feature set the weights belong to.</summary>
    public const string FormatVersion = "flowtune.shapes-classifier/1";

    private const string ResourceName = "FlowTune.Worlds.Shapes.ShapeClassifier.json";
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly Lazy<ShapeClassifier> _default = new(LoadEmbedded);

    /// <summary>Trains the classifier with the default seed and sample count and returns the resource's JSON.</summary>
    public static string TrainToJson() =>
        ToJson(ShapeClassifierTrainer.Train(ShapeClassifierTrainer.DefaultSeed, ShapeClassifierTrainer.DefaultSamplesPerClass));

    internal static ShapeClassifier Default => _default.Value;

    internal static string ToJson(ShapeClassifier classifier)
    {
        var file = new WeightsFile(
            FormatVersion,
            ShapeClassifierTrainer.DefaultSeed,
            ShapeClassifierTrainer.DefaultSamplesPerClass,
            ShapeVocabulary.Shapes.Select(ShapeVocabulary.Name).ToArray(),
            classifier.Mean.ToArray(),
            classifier.Scale.ToArray(),
            classifier.Weights.ToArray(),
            classifier.Bias.ToArray());
        return JsonSerializer.Serialize(file, _json);
    }

    internal static ShapeClassifier FromJson(string json)
    {
        WeightsFile file = JsonSerializer.Deserialize<WeightsFile>(json, _json)
            ?? throw new InvalidDataException("Shape classifier weights are empty.");
        if (file.Format != FormatVersion || file.Mean.Length != ShapeFeatures.Count || file.Bias.Length != ShapeVocabulary.Shapes.Count)
        {
            throw new InvalidDataException(
                $"Shape classifier weights are stale ({file.Format}, {file.Mean.Length} features; expected {FormatVersion}, {ShapeFeatures.Count}). " +
                "Regenerate them with: dotnet run -c Release --project tools/WorldSelftest -- train-classifier src/FlowTune/Worlds/Shapes/ShapeClassifier.json");
        }

        return new ShapeClassifier(file.Mean, file.Scale, file.Weights, file.Bias);
    }

    private static ShapeClassifier LoadEmbedded()
    {
        using Stream stream = typeof(ShapeClassifierWeights).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    private sealed record WeightsFile(string Format, int Seed, int SamplesPerClass, string[] Classes, float[] Mean, float[] Scale, float[][] Weights, float[] Bias);
}
