namespace FlowTune.Rl.Comparison;

/// <summary>
/// One evaluation point of one run: after <paramref name="Images"/> sampled images, <paramref name="Updates"/> optimizer
/// steps and <paramref name="Seconds"/> of training time.
/// </summary>
public sealed record CurvePoint(int Epoch, long Images, long Updates, double Seconds, double Overall, double MeanReward)
{
    /// <summary>Diversity of the evaluation (NaN with one image per prompt).</summary>
    public double Diversity { get; init; } = double.NaN;

    /// <summary>Whether it was a full evaluation (the whole test protocol).</summary>
    public bool Full { get; init; }

    /// <summary>Strict accuracy per tag.</summary>
    public IReadOnlyDictionary<string, double>? Tags { get; init; }
}

/// <summary>The curve of one (config, seed) run.</summary>
public sealed record ComparisonRun(string Config, int Seed, IReadOnlyList<CurvePoint> Curve)
{
    /// <summary>Accuracy at the end of the run.</summary>
    public double Final => Curve[^1].Overall;

    /// <summary>The first evaluation like the final one (<see cref="LikeFinal"/>) at or after <paramref name="minutes"/> of training, or null when the run is shorter.</summary>
    public CurvePoint? At(double minutes) => LikeFinal.FirstOrDefault(p => p.Seconds >= minutes * 60 - 1e-6);

    /// <summary>The first evaluation like the final one (<see cref="LikeFinal"/>) reaching <paramref name="threshold"/>, or null.</summary>
    public CurvePoint? FirstReaching(double threshold) => LikeFinal.FirstOrDefault(p => p.Overall >= threshold - 1e-12);

    /// <summary>
    /// The evaluations made by the final one's protocol (full or quick). Only these compare with a threshold taken from
    /// finals: the quick evaluation draws other prompts and fewer images per tag, and reads ~9 points below the full
    /// one on the shipped base (33 against 42 %).
    /// </summary>
    public IEnumerable<CurvePoint> LikeFinal => Evaluations(likeFinal: true);

    /// <summary>The evaluations made like the final one (<paramref name="likeFinal"/>), or the others, in order.</summary>
    public IEnumerable<CurvePoint> Evaluations(bool likeFinal) => Curve.Where(p => (p.Full == Curve[^1].Full) == likeFinal);
}
