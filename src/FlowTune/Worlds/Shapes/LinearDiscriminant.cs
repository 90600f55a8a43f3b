namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Fits regularised linear discriminant analysis: features are standardised, the pooled within-class covariance
/// is shrunk towards the identity (<c>(1 − λ) Σ + λ I</c>), and class k gets weights <c>Σ⁻¹ μ_k</c> and bias
/// <c>−½ μ_kᵀ Σ⁻¹ μ_k + log prior</c>, scaled by a temperature. Closed form, so training is fast and deterministic.
/// </summary>
internal static class LinearDiscriminant
{
    public static ShapeClassifier Fit(IReadOnlyList<float[]> samples, IReadOnlyList<int> labels, int classCount, double shrinkage, double temperature)
    {
        int n = samples[0].Length;
        int count = samples.Count;
        var mean = new double[n];
        foreach (float[] f in samples)
        {
            for (int i = 0; i < n; i++)
            {
                mean[i] += f[i];
            }
        }

        for (int i = 0; i < n; i++)
        {
            mean[i] /= count;
        }

        var scale = new double[n];
        foreach (float[] f in samples)
        {
            for (int i = 0; i < n; i++)
            {
                scale[i] += (f[i] - mean[i]) * (f[i] - mean[i]);
            }
        }

        for (int i = 0; i < n; i++)
        {
            scale[i] = Math.Sqrt(scale[i] / count) + 1e-6;
        }

        var z = samples.Select(f => Enumerable.Range(0, n).Select(i => (f[i] - mean[i]) / scale[i]).ToArray()).ToArray();
        var classMeans = new double[classCount][];
        var classCounts = new int[classCount];
        for (int k = 0; k < classCount; k++)
        {
            classMeans[k] = new double[n];
        }

        for (int s = 0; s < count; s++)
        {
            classCounts[labels[s]]++;
            for (int i = 0; i < n; i++)
            {
                classMeans[labels[s]][i] += z[s][i];
            }
        }

        for (int k = 0; k < classCount; k++)
        {
            for (int i = 0; i < n; i++)
            {
                classMeans[k][i] /= Math.Max(classCounts[k], 1);
            }
        }

        var covariance = new double[n, n];
        for (int s = 0; s < count; s++)
        {
            double[] mu = classMeans[labels[s]];
            double[] zs = z[s];
            for (int i = 0; i < n; i++)
            {
                double di = zs[i] - mu[i];
                for (int j = 0; j <= i; j++)
                {
                    covariance[i, j] += di * (zs[j] - mu[j]);
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = (1 - shrinkage) * covariance[i, j] / (count - classCount);
                if (i == j)
                {
                    v += shrinkage;
                }

                covariance[i, j] = v;
                covariance[j, i] = v;
            }
        }

        double[,] cholesky = Cholesky(covariance, n);
        var weights = new float[classCount][];
        var bias = new float[classCount];
        for (int k = 0; k < classCount; k++)
        {
            double[] w = Solve(cholesky, classMeans[k], n);
            double quad = 0;
            for (int i = 0; i < n; i++)
            {
                quad += w[i] * classMeans[k][i];
            }

            weights[k] = w.Select(v => (float)(v / temperature)).ToArray();
            bias[k] = (float)(((-0.5 * quad) + Math.Log(Math.Max(classCounts[k], 1) / (double)count)) / temperature);
        }

        return new ShapeClassifier(mean.Select(v => (float)v).ToArray(), scale.Select(v => (float)v).ToArray(), weights, bias);
    }

    private static double[,] Cholesky(double[,] a, int n)
    {
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    l[i, i] = Math.Sqrt(Math.Max(sum, 1e-12));
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        return l;
    }

    private static double[] Solve(double[,] l, double[] b, int n)
    {
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i, k] * y[k];
            }

            y[i] = sum / l[i, i];
        }

        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * x[k];
            }

            x[i] = sum / l[i, i];
        }

        return x;
    }
}
