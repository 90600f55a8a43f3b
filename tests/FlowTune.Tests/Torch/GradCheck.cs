using System.Globalization;
using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

/// <summary>
/// Central finite-difference gradient checks in float64. The scalar checked is L = sum(f(x) · w) with a fixed
/// random weight w shaped like the output; the analytic gradient comes from Backward, the numeric one from
/// (L(x + h·e) − L(x − h·e)) / 2h evaluated under <see cref="Autograd.NoGrad"/>.
/// Each element must satisfy |analytic − numeric| ≤ AbsTol + RelTol·|numeric|.
/// </summary>
internal static class GradCheck
{
    public const double Step = 1e-6;
    public const double AbsTol = 1e-6;
    public const double RelTol = 1e-5;
    private const ulong WeightSeed = 20240611;

    /// <summary>
    /// Checks <paramref name="f"/> with respect to every input. Inputs must be float64 leaves that require grad;
    /// the numeric evaluations perturb clones, never the inputs themselves.
    /// </summary>
    public static void Check(string op, Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = TensorScope.Enter();
        for (var i = 0; i < inputs.Length; i++)
        {
            RequireLeaf(op, $"input {i}", inputs[i]);
            inputs[i].ClearGrad();
        }

        // Analytic.
        var output = f(inputs);
        Assert.True(output.DType == DType.Float64, $"{op}: output dtype is {output.DType}, gradcheck needs Float64");
        var w = Weight(output.Shape);
        (output * w).Sum().Backward();
        var analytic = inputs.Select(GradOrZeros).ToArray();

        // Numeric, on detached clones.
        using var noGrad = Autograd.NoGrad();
        var clones = inputs.Select(x => x.Detach().Clone()).ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var shape = clones[i].Shape;
            var values = clones[i].ToArray<double>();
            var flat = clones[i].View(-1);
            for (var j = 0; j < values.Length; j++)
            {
                var numeric = Numeric(flat, j, values[j], () => f(clones), w);
                Compare(op, $"input {i}", shape, j, analytic[i][j], numeric);
            }
        }
    }

    /// <summary>
    /// Checks a closure with respect to named leaves it reads (module parameters, captured inputs). The leaves
    /// are perturbed in place under NoGrad and restored exactly afterwards.
    /// </summary>
    public static void CheckLeaves(string op, Func<Tensor> forward, IReadOnlyList<KeyValuePair<string, Tensor>> leaves)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(leaves);
        using var scope = TensorScope.Enter();
        foreach (var (name, leaf) in leaves)
        {
            RequireLeaf(op, name, leaf);
            leaf.ClearGrad();
        }

        var output = forward();
        Assert.True(output.DType == DType.Float64, $"{op}: output dtype is {output.DType}, gradcheck needs Float64");
        var w = Weight(output.Shape);
        (output * w).Sum().Backward();
        var analytic = leaves.Select(p => GradOrZeros(p.Value)).ToArray();

        using var noGrad = Autograd.NoGrad();
        for (var i = 0; i < leaves.Count; i++)
        {
            var (name, leaf) = leaves[i];
            var shape = leaf.Shape;
            var values = leaf.ToArray<double>();
            var flat = leaf.View(-1);
            for (var j = 0; j < values.Length; j++)
            {
                var numeric = Numeric(flat, j, values[j], forward, w);
                Compare(op, name, shape, j, analytic[i][j], numeric);
            }
            Assert.Equal(values, leaf.ToArray<double>()); // restored bit-exactly
        }
    }

    /// <summary>A float64 leaf that requires grad, from managed data.</summary>
    public static Tensor Leaf(double[] data, params long[] shape) => Tensor.FromArray(data, shape).WithRequiresGrad();

    private static double Numeric(Tensor flat, int j, double x, Func<Tensor> evaluate, Tensor w)
    {
        using var element = flat.Narrow(0, j, 1);
        var plus = Evaluate(element, x + Step, evaluate, w);
        var minus = Evaluate(element, x - Step, evaluate, w);
        element.Fill_(x);
        return (plus - minus) / (2 * Step);
    }

    private static double Evaluate(Tensor element, double value, Func<Tensor> evaluate, Tensor w)
    {
        using var scope = TensorScope.Enter();
        element.Fill_(value);
        return (evaluate() * w).Sum().Item();
    }

    private static void Compare(string op, string input, long[] shape, int flatIndex, double analytic, double numeric)
    {
        var diff = Math.Abs(analytic - numeric);
        var tolerance = AbsTol + RelTol * Math.Abs(numeric);
        if (!(diff <= tolerance))
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{op}: gradient mismatch at {input} element {flatIndex} (index [{string.Join(", ", Unravel(shape, flatIndex))}] of shape [{string.Join(", ", shape)}]): analytic {analytic:R}, numeric {numeric:R}, |diff| {diff:E3} > tolerance {tolerance:E3}"));
        }
    }

    private static long[] Unravel(long[] shape, long flat)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static void RequireLeaf(string op, string name, Tensor t)
    {
        Assert.True(t.DType == DType.Float64, $"{op}: {name} must be Float64, is {t.DType}");
        Assert.True(t.RequiresGrad, $"{op}: {name} must require grad");
        Assert.True(t.IsLeaf, $"{op}: {name} must be a leaf");
    }

    private static double[] GradOrZeros(Tensor x)
    {
        using var g = x.Grad;
        return g is null ? new double[x.NumElements] : g.ToArray<double>();
    }

    private static Tensor Weight(long[] shape)
    {
        using var generator = new Generator(WeightSeed);
        return Tensor.Randn(shape, generator, DType.Float64);
    }
}
