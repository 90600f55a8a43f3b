namespace FlowTune.Rl.Comparison;

/// <summary>One evaluation point of one run: after <paramref name="Images"/> sampled images and <paramref name="Updates"/> optimizer steps.</summary>
public sealed record CurvePoint(int Epoch, long Images, long Updates, double Seconds, double Overall, double MeanReward);

/// <summary>The curve of one (config, seed) run.</summary>
public sealed record ComparisonRun(string Config, int Seed, IReadOnlyList<CurvePoint> Curve)
{
    /// <summary>Accuracy at the end of the run.</summary>
    public double Final => Curve[^1].Overall;

    /// <summary>The first point reaching <paramref name="threshold"/>, or null.</summary>
    public CurvePoint? FirstReaching(double threshold) => Curve.FirstOrDefault(p => p.Overall >= threshold - 1e-12);
}
