using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

public sealed class GradCheckTests
{
    private sealed record Case(Func<Random, Tensor[]> Inputs, Func<Tensor[], Tensor> F);

    private static readonly Dictionary<string, Case> Cases = BuildCases();

    public static TheoryData<string> OpNames => new(Cases.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Should_MatchFiniteDifferences_When_DifferentiatingOp(string op)
    {
        // Given
        using var scope = TensorScope.Enter();
        var c = Cases[op];
        var inputs = c.Inputs(new Random(op.Length * 7919 + op[0]));

        // When / Then
        GradCheck.Check(op, c.F, inputs);
    }

    [Fact]
    public void Should_Fail_When_AnalyticGradientIsWrong()
    {
        // Given: x · detach(x) has numeric gradient 2x·w but analytic x·w
        using var scope = TensorScope.Enter();
        var x = GradCheck.Leaf([0.5, -1.5, 2.0], 3);

        // When
        var error = Record.Exception(() => GradCheck.Check("x*detach(x)", a => a[0] * a[0].Detach(), x));

        // Then
        Assert.NotNull(error);
        Assert.Contains("x*detach(x)", error.Message, StringComparison.Ordinal);
        Assert.Contains("input 0 element", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_PassGradientOnlyInsideOrAtBounds_When_Clamping()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = GradCheck.Leaf([-2.0, -1.0, -0.5, 0.0, 0.75, 1.0, 3.0], 7);

        // When
        x.Clamp(-1, 1).Sum().Backward();

        // Then: PyTorch's convention: 1 for min <= x <= max (bounds included), 0 outside
        Assert.Equal([0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Should_ScaleGradientByMask_When_DropoutIsTraining()
    {
        // Given
        using var scope = TensorScope.Enter();
        const double p = 0.4;
        var x = Tensor.Full([8, 8], 2.0, DType.Float64).WithRequiresGrad();

        // When
        Tensor y;
        using (var generator = new Generator(99))
        {
            y = F.Dropout(x, p, training: true, generator);
        }
        y.Sum().Backward();
        var grad = x.Grad!.ToArray<double>();
        var output = y.ToArray<double>();

        // Then: y = x · mask/(1-p) and dy/dx = mask/(1-p), element by element
        var scale = 1 / (1 - p);
        for (var k = 0; k < grad.Length; k++)
        {
            var mask = output[k] == 0 ? 0.0 : 1.0;
            Assert.Equal(mask * scale, grad[k], 12);
            Assert.Equal(2.0 * mask * scale, output[k], 12);
        }
        Assert.Contains(0.0, grad);
        Assert.Contains(grad, g => g > 0);
    }

    [Fact]
    public void Should_ProduceSameMask_When_DropoutGeneratorIsReseeded()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = Tensor.Ones([64], DType.Float64);

        // When
        double[] first, second;
        using (var g = new Generator(5))
        {
            first = F.Dropout(x, 0.5, true, g).ToArray<double>();
        }
        using (var g = new Generator(5))
        {
            second = F.Dropout(x, 0.5, true, g).ToArray<double>();
        }
        double[] eval;
        using (var g = new Generator(5))
        {
            eval = F.Dropout(x, 0.5, false, g).ToArray<double>();
        }

        // Then
        Assert.Equal(first, second);
        Assert.All(eval, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Should_AccumulateRows_When_EmbeddingIndicesRepeat()
    {
        // Given
        using var scope = TensorScope.Enter();
        var weight = Tensor.Zeros([4, 2], DType.Float64).WithRequiresGrad();
        var ids = Tensor.FromArray(new long[] { 1, 3, 1, 1 }, 4);

        // When
        F.Embedding(weight, ids).Sum().Backward();

        // Then
        Assert.Equal([0.0, 0.0, 3.0, 3.0, 0.0, 0.0, 1.0, 1.0], weight.Grad!.ToArray<double>());
    }

    [Fact]
    public void Should_RouteGradientToArgmax_When_TakingMaxAlongDim()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = GradCheck.Leaf([1.0, 5.0, 2.0, 7.0, 0.0, -1.0], 2, 3);

        // When
        var (values, indices) = x.Max(1);
        values.Sum().Backward();

        // Then
        Assert.Equal([1L, 0L], indices.ToArray<long>());
        Assert.Equal([0.0, 1.0, 0.0, 1.0, 0.0, 0.0], x.Grad!.ToArray<double>());
    }

    // ---- inputs -------------------------------------------------------------------------------------------

    private static long Count(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private static double[] Uniform(Random r, double lo, double hi, long n) =>
        Enumerable.Range(0, (int)n).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray();

    /// <summary>Uniform in [-1, 1].</summary>
    private static Tensor N(Random r, params long[] shape) => GradCheck.Leaf(Uniform(r, -1, 1, Count(shape)), shape);

    /// <summary>Uniform in [0.5, 2] (logs, roots, powers).</summary>
    private static Tensor Pos(Random r, params long[] shape) => GradCheck.Leaf(Uniform(r, 0.5, 2, Count(shape)), shape);

    /// <summary>Magnitude in [0.3, 1.3] with a random sign (kinks and poles at 0).</summary>
    private static Tensor Away(Random r, params long[] shape) => GradCheck.Leaf(AwayValues(r, Count(shape)), shape);

    private static double[] AwayValues(Random r, long n) =>
        Uniform(r, 0.3, 1.3, n).Select(v => r.Next(2) == 0 ? v : -v).ToArray();

    /// <summary>Values at least 0.15 apart (no ties for max, min, sort).</summary>
    private static Tensor Distinct(Random r, params long[] shape)
    {
        var n = (int)Count(shape);
        var order = Enumerable.Range(0, n).OrderBy(_ => r.Next()).ToArray();
        return GradCheck.Leaf(order.Select(k => (k - n / 2.0) * 0.25 + 0.1 * r.NextDouble()).ToArray(), shape);
    }

    private static Tensor[] Inputs(params Tensor[] inputs) => inputs;

    private static Tensor Longs(long[] data, params long[] shape) => Tensor.FromArray(data, shape);

    private static Tensor Bools(bool[] data, params long[] shape) => Tensor.FromArray(data, shape);

    // ---- cases --------------------------------------------------------------------------------------------

    private static Dictionary<string, Case> BuildCases()
    {
        var c = new Dictionary<string, Case>(StringComparer.Ordinal);
        void Add(string name, Func<Random, Tensor[]> inputs, Func<Tensor[], Tensor> f) => c.Add(name, new Case(inputs, f));

        // Elementwise arithmetic (tensor forms broadcast, so the gradient must be reduced back).
        Add("Add(tensor)", r => Inputs(N(r, 2, 3), N(r, 3)), a => a[0] + a[1]);
        Add("Add(tensor, alpha)", r => Inputs(N(r, 2, 3), N(r, 2, 3)), a => a[0].Add(a[1], 2.5));
        Add("Add(scalar)", r => Inputs(N(r, 2, 3)), a => a[0] + 1.5);
        Add("Add(scalar + tensor)", r => Inputs(N(r, 2, 3)), a => 1.5 + a[0]);
        Add("Sub(tensor)", r => Inputs(N(r, 2, 3), N(r, 2, 1)), a => a[0] - a[1]);
        Add("Sub(scalar)", r => Inputs(N(r, 2, 3)), a => a[0] - 0.7);
        Add("Mul(tensor)", r => Inputs(N(r, 2, 3), N(r, 1, 3)), a => a[0] * a[1]);
        Add("Mul(scalar)", r => Inputs(N(r, 2, 3)), a => a[0] * -1.3);
        Add("Mul(scalar * tensor)", r => Inputs(N(r, 2, 3)), a => 2.5 * a[0]);
        Add("Div(tensor)", r => Inputs(N(r, 2, 3), Away(r, 2, 3)), a => a[0] / a[1]);
        Add("Div(scalar)", r => Inputs(N(r, 2, 3)), a => a[0] / 3.0);
        Add("RSub", r => Inputs(N(r, 2, 3)), a => a[0].RSub(2.0));
        Add("RSub(scalar - tensor)", r => Inputs(N(r, 2, 3)), a => 2.0 - a[0]);
        Add("Pow(scalar)", r => Inputs(Pos(r, 2, 3)), a => a[0].Pow(2.5));
        Add("Pow(scalar, negative)", r => Inputs(Pos(r, 2, 3)), a => a[0].Pow(-1.5));
        Add("Pow(tensor)", r => Inputs(Pos(r, 2, 3), N(r, 2, 3)), a => a[0].Pow(a[1]));
        Add("Square", r => Inputs(N(r, 2, 3)), a => a[0].Square());
        Add("Neg", r => Inputs(N(r, 2, 3)), a => -a[0]);
        Add("Neg(method)", r => Inputs(N(r, 2, 3)), a => a[0].Neg());
        Add("Abs", r => Inputs(Away(r, 2, 3)), a => a[0].Abs());
        Add("Exp", r => Inputs(N(r, 2, 3)), a => a[0].Exp());
        Add("Log", r => Inputs(Pos(r, 2, 3)), a => a[0].Log());
        Add("Sqrt", r => Inputs(Pos(r, 2, 3)), a => a[0].Sqrt());
        Add("Rsqrt", r => Inputs(Pos(r, 2, 3)), a => a[0].Rsqrt());
        Add("Sin", r => Inputs(N(r, 2, 3)), a => a[0].Sin());
        Add("Cos", r => Inputs(N(r, 2, 3)), a => a[0].Cos());
        Add("Tanh", r => Inputs(N(r, 2, 3)), a => a[0].Tanh());
        Add("Sigmoid", r => Inputs(N(r, 2, 3)), a => a[0].Sigmoid());
        Add("Reciprocal", r => Inputs(Away(r, 2, 3)), a => a[0].Reciprocal());
        Add("Floor(zero gradient)", _ => Inputs(GradCheck.Leaf([-1.7, -0.4, 0.3, 1.5, 2.8, 3.2], 6)), a => a[0].Floor());
        Add("Round(zero gradient)", _ => Inputs(GradCheck.Leaf([-1.7, -0.2, 0.3, 1.1, 2.8, 3.35], 6)), a => a[0].Round());
        Add("Sign(zero gradient)", r => Inputs(Away(r, 6)), a => a[0].Sign());
        Add("Clamp(inside)", r => Inputs(GradCheck.Leaf(Uniform(r, -0.9, 0.9, 6), 2, 3)), a => a[0].Clamp(-1, 1));
        Add("Clamp(outside)", _ => Inputs(GradCheck.Leaf([-2.0, -1.5, 0.3, 1.5, 2.5, -0.4], 2, 3)), a => a[0].Clamp(-1, 1));
        Add("Clamp(min only)", _ => Inputs(GradCheck.Leaf([-2.0, -0.5, 0.3, 1.5, 2.5, -0.4], 2, 3)), a => a[0].Clamp(min: 0));
        Add("Clamp(max only)", _ => Inputs(GradCheck.Leaf([-2.0, -0.5, 0.3, 1.5, 2.5, -0.4], 2, 3)), a => a[0].Clamp(max: 0.5));
        Add("Maximum", r =>
        {
            var x = Uniform(r, -1, 1, 6);
            var y = x.Select(v => v + (r.Next(2) == 0 ? 1 : -1) * (0.1 + 0.5 * r.NextDouble())).ToArray();
            return Inputs(GradCheck.Leaf(x, 2, 3), GradCheck.Leaf(y, 2, 3));
        }, a => a[0].Maximum(a[1]));
        Add("Minimum", r =>
        {
            var x = Uniform(r, -1, 1, 6);
            var y = x.Select(v => v + (r.Next(2) == 0 ? 1 : -1) * (0.1 + 0.5 * r.NextDouble())).ToArray();
            return Inputs(GradCheck.Leaf(x, 2, 3), GradCheck.Leaf(y, 2, 3));
        }, a => a[0].Minimum(a[1]));
        Add("MaskedFill", r => Inputs(N(r, 2, 3)),
            a => a[0].MaskedFill(Bools([true, false, false, true, false, true], 2, 3), 0.5));
        Add("MaskedFill(broadcast mask)", r => Inputs(N(r, 2, 3)),
            a => a[0].MaskedFill(Bools([false, true, false], 3), -4.0));
        Add("Where", r => Inputs(N(r, 2, 3), N(r, 2, 3)),
            a => Tensor.Where(Bools([true, false, false, true, true, false], 2, 3), a[0], a[1]));
        Add("Where(broadcast)", r => Inputs(N(r, 2, 3), N(r, 3)),
            a => Tensor.Where(Bools([true, false, true, false, true, false], 2, 3), a[0], a[1]));

        // In-place updates on non-leaf tensors (autograd records them like their out-of-place forms).
        Add("Add_", r => Inputs(N(r, 2, 3), N(r, 2, 3)), a => a[0].Clone().Add_(a[1], 0.5));
        Add("Mul_(tensor)", r => Inputs(N(r, 2, 3), N(r, 3)), a => a[0].Clone().Mul_(a[1]));
        Add("Mul_(scalar)", r => Inputs(N(r, 2, 3)), a => a[0].Clone().Mul_(-1.7));
        Add("Div_(scalar)", r => Inputs(N(r, 2, 3)), a => a[0].Clone().Div_(0.8));
        Add("Addcmul_", r => Inputs(N(r, 2, 3), N(r, 2, 3), N(r, 2, 3)), a => a[0].Clone().Addcmul_(a[1], a[2], 0.3));
        Add("Addcdiv_", r => Inputs(N(r, 2, 3), N(r, 2, 3), Away(r, 2, 3)), a => a[0].Clone().Addcdiv_(a[1], a[2], -0.6));
        Add("Lerp_", r => Inputs(N(r, 2, 3), N(r, 2, 3)), a => a[0].Clone().Lerp_(a[1], 0.25));
        Add("Copy_", r => Inputs(N(r, 2, 3), N(r, 3)), a => (a[0] * 2.0).Copy_(a[1]) * a[0]);
        Add("Fill_", r => Inputs(N(r, 2, 3)), a => (a[0] * 2.0).Fill_(1.5) + a[0].Square());
        Add("Zero_", r => Inputs(N(r, 2, 3)), a => (a[0] * 2.0).Zero_() + a[0].Sin());
        Add("Clamp_", _ => Inputs(GradCheck.Leaf([-2.0, -0.5, 0.3, 1.5, 2.5, -0.4], 2, 3)), a => a[0].Clone().Clamp_(-1, 1));

        // Linear algebra.
        Add("Matmul(2d)", r => Inputs(N(r, 2, 3), N(r, 3, 4)), a => a[0].Matmul(a[1]));
        Add("Matmul(batched, broadcast)", r => Inputs(N(r, 2, 2, 3), N(r, 3, 2)), a => a[0].Matmul(a[1]));
        Add("Matmul(vector)", r => Inputs(N(r, 3), N(r, 3, 2)), a => a[0].Matmul(a[1]));
        Add("Mm", r => Inputs(N(r, 3, 2), N(r, 2, 4)), a => a[0].Mm(a[1]));
        Add("Mm(transposed operand)", r => Inputs(N(r, 3, 2), N(r, 4, 2)), a => a[0].Mm(a[1].Transpose(0, 1)));
        Add("Bmm", r => Inputs(N(r, 2, 2, 3), N(r, 2, 3, 2)), a => a[0].Bmm(a[1]));

        // Reductions.
        Add("Sum", r => Inputs(N(r, 2, 3)), a => a[0].Sum());
        Add("Sum(dim)", r => Inputs(N(r, 2, 3, 2)), a => a[0].Sum(1));
        Add("Sum(dims, keepDim)", r => Inputs(N(r, 2, 3, 2)), a => a[0].Sum([0L, 2L], keepDim: true));
        Add("Mean", r => Inputs(N(r, 2, 3)), a => a[0].Mean());
        Add("Mean(dim)", r => Inputs(N(r, 2, 3, 2)), a => a[0].Mean(-1));
        Add("Mean(dims, keepDim)", r => Inputs(N(r, 2, 3, 2)), a => a[0].Mean([1L, 2L], keepDim: true));
        Add("Var", r => Inputs(N(r, 2, 3)), a => a[0].Var());
        Add("Var(dim)", r => Inputs(N(r, 2, 4)), a => a[0].Var([1L]));
        Add("Var(dim, correction 0, keepDim)", r => Inputs(N(r, 3, 4)), a => a[0].Var([0L], correction: 0, keepDim: true));
        Add("Std", r => Inputs(N(r, 2, 3)), a => a[0].Std());
        Add("Std(dim)", r => Inputs(N(r, 2, 4)), a => a[0].Std([1L]));
        Add("Max", r => Inputs(Distinct(r, 2, 3)), a => a[0].Max());
        Add("Min", r => Inputs(Distinct(r, 2, 3)), a => a[0].Min());
        Add("Max(dim) values", r => Inputs(Distinct(r, 3, 4)), a => a[0].Max(1).Values);
        Add("Max(dim, keepDim) values", r => Inputs(Distinct(r, 3, 4)), a => a[0].Max(0, keepDim: true).Values);
        Add("Min(dim) values", r => Inputs(Distinct(r, 3, 4)), a => a[0].Min(1).Values);
        Add("Sort values", r => Inputs(Distinct(r, 2, 4)), a => a[0].Sort(-1, descending: true).Values);
        Add("Cumsum", r => Inputs(N(r, 2, 4)), a => a[0].Cumsum(1));
        Add("Cumsum(dim 0)", r => Inputs(N(r, 3, 2)), a => a[0].Cumsum(0));

        // Shapes and indexing (outputs are multiplied by a non-uniform tensor where the op alone would be linear
        // with a trivial pattern, so misrouted gradients show up).
        Add("View", r => Inputs(N(r, 2, 6)), a => a[0].View(3, 4));
        Add("View(-1)", r => Inputs(N(r, 2, 3)), a => a[0].View(-1));
        Add("Reshape", r => Inputs(N(r, 2, 6)), a => a[0].Reshape(4, -1));
        Add("Reshape(non-contiguous)", r => Inputs(N(r, 3, 4)), a => a[0].Transpose(0, 1).Reshape(2, 6));
        Add("Permute", r => Inputs(N(r, 2, 3, 4)), a => a[0].Permute(2, 0, 1));
        Add("Transpose", r => Inputs(N(r, 2, 3, 4)), a => a[0].Transpose(0, 2));
        Add("Flatten", r => Inputs(N(r, 2, 3, 2)), a => a[0].Flatten());
        Add("Flatten(1, 2)", r => Inputs(N(r, 2, 3, 2)), a => a[0].Flatten(1, 2));
        Add("Unsqueeze", r => Inputs(N(r, 2, 3)), a => a[0].Unsqueeze(1));
        Add("Squeeze", r => Inputs(N(r, 2, 1, 3)), a => a[0].Squeeze(1));
        Add("Chunk", r => Inputs(N(r, 2, 6)), a =>
        {
            var parts = a[0].Chunk(3, 1);
            return Tensor.Cat([parts[2], parts[0] * 2.0, parts[1].Exp()], 1);
        });
        Add("Split(size)", r => Inputs(N(r, 5, 2)), a =>
        {
            var parts = a[0].Split(2, 0); // [2, 2, 1]
            return Tensor.Cat([parts[2].Sin(), parts[1], parts[0] * -3.0], 0);
        });
        Add("Split(sizes)", r => Inputs(N(r, 2, 5)), a =>
        {
            var parts = a[0].Split([1L, 3L, 1L], 1);
            return Tensor.Cat([parts[1].Square(), parts[2], parts[0] * 0.5], 1);
        });
        Add("Slice", r => Inputs(N(r, 3, 6)), a => a[0].Slice(1, 1, 6, 2));
        Add("Slice(negative)", r => Inputs(N(r, 4, 3)), a => a[0].Slice(0, -3, -1));
        Add("Narrow", r => Inputs(N(r, 3, 5)), a => a[0].Narrow(1, 1, 3));
        Add("Select", r => Inputs(N(r, 3, 4)), a => a[0].Select(0, 1));
        Add("Select(last dim)", r => Inputs(N(r, 3, 4)), a => a[0].Select(-1, 2));
        Add("IndexSelect", r => Inputs(N(r, 4, 3)), a => a[0].IndexSelect(0, Longs([3, 0, 3, 1], 4)));
        Add("Gather", r => Inputs(N(r, 3, 4)), a => a[0].Gather(1, Longs([0, 0, 3, 2, 1, 2, 3, 3, 0], 3, 3)));
        Add("Expand", r => Inputs(N(r, 1, 3)), a => a[0].Expand(4, 3));
        Add("Expand(new dim, -1)", r => Inputs(N(r, 3)), a => a[0].Expand(2, -1));
        Add("Repeat", r => Inputs(N(r, 2, 3)), a => a[0].Repeat(2, 1, 2));
        Add("Flip", r => Inputs(N(r, 2, 3, 2)), a => a[0].Flip(0, 2));
        Add("Pad", r => Inputs(N(r, 2, 3)), a => a[0].Pad([1L, 2L, 0L, 1L], 0.25));
        Add("Cat", r => Inputs(N(r, 2, 3), N(r, 1, 3), N(r, 2, 3)), a => Tensor.Cat([a[0], a[1], a[2]], 0));
        Add("Cat(dim 1)", r => Inputs(N(r, 2, 1), N(r, 2, 3)), a => Tensor.Cat([a[0], a[1]], 1));
        Add("Stack", r => Inputs(N(r, 2, 3), N(r, 2, 3)), a => Tensor.Stack([a[0], a[1]], 1));
        Add("Clone", r => Inputs(N(r, 2, 3)), a => a[0].Clone());
        Add("Contiguous", r => Inputs(N(r, 3, 4)), a => a[0].Transpose(0, 1).Contiguous());
        Add("To(Float64)", r => Inputs(N(r, 2, 3)), a => a[0].To(DType.Float64));
        Add("To(Cpu)", r => Inputs(N(r, 2, 3)), a => a[0].To(Device.Cpu));

        // Neural-network functions.
        Add("F.Linear", r => Inputs(N(r, 2, 3), N(r, 4, 3), N(r, 4)), a => F.Linear(a[0], a[1], a[2]));
        Add("F.Linear(no bias)", r => Inputs(N(r, 2, 2, 3), N(r, 4, 3)), a => F.Linear(a[0], a[1]));
        Add("F.Conv2d(stride 1)", r => Inputs(N(r, 1, 2, 4, 4), N(r, 2, 2, 3, 3)), a => F.Conv2d(a[0], a[1]));
        Add("F.Conv2d(stride 2, padding 1, bias)", r => Inputs(N(r, 1, 2, 5, 5), N(r, 3, 2, 3, 3), N(r, 3)),
            a => F.Conv2d(a[0], a[1], a[2], stride: 2, padding: 1));
        Add("F.Conv2d(groups 2, bias)", r => Inputs(N(r, 1, 4, 3, 3), N(r, 2, 2, 3, 3), N(r, 2)),
            a => F.Conv2d(a[0], a[1], a[2], padding: 1, groups: 2));
        Add("F.Conv2d(dilation 2)", r => Inputs(N(r, 1, 1, 5, 5), N(r, 2, 1, 2, 2)), a => F.Conv2d(a[0], a[1], dilation: 2));
        Add("F.ConvTranspose2d(stride 2, padding 1, output padding 1, bias)",
            r => Inputs(N(r, 1, 2, 3, 3), N(r, 2, 2, 3, 3), N(r, 2)),
            a => F.ConvTranspose2d(a[0], a[1], a[2], stride: 2, padding: 1, outputPadding: 1));
        Add("F.ConvTranspose2d(groups 2)", r => Inputs(N(r, 1, 2, 2, 2), N(r, 2, 1, 2, 2)),
            a => F.ConvTranspose2d(a[0], a[1], groups: 2));
        Add("F.PixelShuffle", r => Inputs(N(r, 1, 4, 2, 2)), a => F.PixelShuffle(a[0], 2));
        Add("F.PixelUnshuffle", r => Inputs(N(r, 1, 1, 4, 4)), a => F.PixelUnshuffle(a[0], 2));
        Add("F.GroupNorm(affine)", r => Inputs(N(r, 2, 4, 3), N(r, 4), N(r, 4)), a => F.GroupNorm(a[0], 2, a[1], a[2]));
        Add("F.GroupNorm(no affine, 4d)", r => Inputs(N(r, 1, 4, 2, 2)), a => F.GroupNorm(a[0], 2));
        Add("F.LayerNorm(affine)", r => Inputs(N(r, 2, 3, 4), N(r, 4), N(r, 4)), a => F.LayerNorm(a[0], [4L], a[1], a[2]));
        Add("F.LayerNorm(2 dims, affine)", r => Inputs(N(r, 2, 2, 3), N(r, 2, 3), N(r, 2, 3)),
            a => F.LayerNorm(a[0], [2L, 3L], a[1], a[2]));
        Add("F.LayerNorm(no affine)", r => Inputs(N(r, 3, 4)), a => F.LayerNorm(a[0], [4L]));
        Add("F.Silu", r => Inputs(N(r, 2, 3)), a => F.Silu(a[0]));
        Add("F.Gelu(erf)", r => Inputs(N(r, 2, 3)), a => F.Gelu(a[0]));
        Add("F.Gelu(tanh)", r => Inputs(N(r, 2, 3)), a => F.Gelu(a[0], tanhApproximation: true));
        Add("F.Relu", r => Inputs(Away(r, 2, 4)), a => F.Relu(a[0]));
        Add("F.Softmax", r => Inputs(N(r, 2, 4)), a => F.Softmax(a[0], -1));
        Add("F.Softmax(dim 0)", r => Inputs(N(r, 3, 2)), a => F.Softmax(a[0], 0));
        Add("F.LogSoftmax", r => Inputs(N(r, 2, 4)), a => F.LogSoftmax(a[0], 1));
        Add("F.Embedding(weight)", r => Inputs(N(r, 5, 3)), a => F.Embedding(a[0], Longs([0, 2, 2, 4, 0, 1], 2, 3)));
        Add("F.UpsampleNearest", r => Inputs(N(r, 1, 2, 2, 3)), a => F.UpsampleNearest(a[0], 2));
        Add("F.AvgPool2d", r => Inputs(N(r, 1, 2, 4, 4)), a => F.AvgPool2d(a[0], 2));
        Add("F.ScaledDotProductAttention", r => Inputs(N(r, 1, 2, 3, 4), N(r, 1, 2, 4, 4), N(r, 1, 2, 4, 4)),
            a => F.ScaledDotProductAttention(a[0], a[1], a[2]));
        Add("F.ScaledDotProductAttention(additive mask input)",
            r => Inputs(N(r, 1, 2, 3, 4), N(r, 1, 2, 4, 4), N(r, 1, 2, 4, 4), N(r, 1, 1, 3, 4)),
            a => F.ScaledDotProductAttention(a[0], a[1], a[2], a[3]));
        Add("F.ScaledDotProductAttention(-inf padding mask)", r => Inputs(N(r, 2, 1, 3, 2), N(r, 2, 1, 4, 2), N(r, 2, 1, 4, 2)), a =>
        {
            using var zeros = Tensor.Zeros([2, 1, 1, 4], DType.Float64);
            var mask = zeros.MaskedFill(Bools([false, false, true, true, false, true, false, false], 2, 1, 1, 4), double.NegativeInfinity);
            return F.ScaledDotProductAttention(a[0], a[1], a[2], mask);
        });
        Add("F.MseLoss", r => Inputs(N(r, 2, 3), N(r, 2, 3)), a => F.MseLoss(a[0], a[1]));
        Add("F.CrossEntropy", r => Inputs(N(r, 3, 4)), a => F.CrossEntropy(a[0], Longs([2, 0, 3], 3)));
        Add("F.Dropout(training, reseeded generator)", r => Inputs(N(r, 4, 5)), a =>
        {
            using var generator = new Generator(1234);
            return F.Dropout(a[0], 0.3, training: true, generator);
        });
        Add("F.Dropout(eval)", r => Inputs(N(r, 4, 5)), a =>
        {
            using var generator = new Generator(1234);
            return F.Dropout(a[0], 0.3, training: false, generator);
        });
        return c;
    }
}
