using FlowTune.Torch;

namespace FlowTune.Rl.Objectives;

/// <summary>Running means over the loss terms of one optimizer update.</summary>
public sealed class UpdateStats
{
    private readonly List<double> _policy = [], _kl = [], _approx = [], _clip = [];
    private double _ratioSum, _ratioMin = double.MaxValue, _ratioMax = double.MinValue;
    private long _ratioCount;

    /// <summary>Largest |ratio − 1| seen in this update.</summary>
    public double MaxRatioDeviation => _ratioCount == 0 ? 0 : Math.Max(_ratioMax - 1, 1 - _ratioMin);

    /// <summary>Adds one term's values; <paramref name="ratio"/> [B] may be null for likelihood-free objectives.</summary>
    public void Add(double policy, double kl, double approx, double clip, Tensor? ratio)
    {
        _policy.Add(policy);
        _kl.Add(kl);
        _approx.Add(approx);
        _clip.Add(clip);
        if (ratio is null)
        {
            return;
        }
        foreach (var r in ratio.Detach().ToArray<float>())
        {
            _ratioSum += r;
            _ratioMin = Math.Min(_ratioMin, r);
            _ratioMax = Math.Max(_ratioMax, r);
            _ratioCount++;
        }
    }

    /// <summary>The metrics record of the update.</summary>
    public UpdateMetrics ToMetrics(int epoch, long step, double gradNorm) => new(
        epoch, step, Mean(_policy), Mean(_kl), Mean(_approx), Mean(_clip),
        _ratioCount == 0 ? 1 : _ratioSum / _ratioCount, _ratioCount == 0 ? 1 : _ratioMin, _ratioCount == 0 ? 1 : _ratioMax, gradNorm);

    private static double Mean(List<double> values) => values.Count == 0 ? 0 : values.Average();
}
