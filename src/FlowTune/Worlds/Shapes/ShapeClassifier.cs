namespace FlowTune.Worlds.Shapes;

/// <summary>
/// A linear softmax classifier over standardised shape features: <c>p(k | f) ∝ exp(w_k · z + b_k)</c> with
/// <c>z = (f − mean) / scale</c>. The weights come from <see cref="ShapeClassifierTrainer"/> (regularised linear
/// discriminant analysis), so they are a deterministic function of the training seed. Immutable and thread-safe.
/// </summary>
internal sealed class ShapeClassifier
{
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly float[][] _weights;
    private readonly float[] _bias;

    public ShapeClassifier(float[] mean, float[] scale, float[][] weights, float[] bias)
    {
        _mean = mean;
        _scale = scale;
        _weights = weights;
        _bias = bias;
    }

    public int FeatureCount => _mean.Length;

    public IReadOnlyList<float> Mean => _mean;

    public IReadOnlyList<float> Scale => _scale;

    public IReadOnlyList<float[]> Weights => _weights;

    public IReadOnlyList<float> Bias => _bias;

    public int ClassCount => _bias.Length;

    /// <summary>Class probabilities for one feature vector.</summary>
    public float[] Probabilities(float[] features)
    {
        int n = _mean.Length;
        Span<float> z = n <= 256 ? stackalloc float[n] : new float[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = (features[i] - _mean[i]) / _scale[i];
        }

        var logits = new float[_bias.Length];
        float max = float.MinValue;
        for (int k = 0; k < logits.Length; k++)
        {
            float sum = _bias[k];
            float[] w = _weights[k];
            for (int i = 0; i < n; i++)
            {
                sum += w[i] * z[i];
            }

            logits[k] = sum;
            max = Math.Max(max, sum);
        }

        float total = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] = MathF.Exp(logits[k] - max);
            total += logits[k];
        }

        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] /= total;
        }

        return logits;
    }
}
