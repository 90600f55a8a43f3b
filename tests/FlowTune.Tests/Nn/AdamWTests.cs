using FlowTune.IO;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Tests.Nn;

public sealed class AdamWTests
{
    [Fact]
    public void Should_MatchClosedFormUpdate_When_SteppingWithKnownGradients()
    {
        // Given
        using var scope = TensorScope.Enter();
        var options = new AdamWOptions { LearningRate = 0.1, Beta1 = 0.8, Beta2 = 0.9, Epsilon = 1e-3, WeightDecay = 0.05 };
        double[] p = [1.0, -2.0];
        double[][] grads = [[0.5, -1.0], [-0.3, 2.0], [0.1, 0.0]];
        var param = Tensor.FromArray(p, 2).WithRequiresGrad();
        var frozen = Tensor.FromArray(new[] { 3.0, 4.0 }, 2).WithRequiresGrad(); // never gets a gradient
        using var optimizer = new AdamW([new("p", param), new("frozen", frozen)], options);

        // When
        foreach (var g in grads)
        {
            optimizer.ZeroGrad();
            (param * Tensor.FromArray(g, 2)).Sum().Backward();
            optimizer.Step();
        }

        // Then: PyTorch's AdamW, by hand
        double[] m = [0, 0], v = [0, 0];
        for (var t = 1; t <= grads.Length; t++)
        {
            var bc1 = 1 - Math.Pow(options.Beta1, t);
            var bc2 = 1 - Math.Pow(options.Beta2, t);
            for (var k = 0; k < 2; k++)
            {
                var g = grads[t - 1][k];
                p[k] *= 1 - options.LearningRate * options.WeightDecay;
                m[k] = options.Beta1 * m[k] + (1 - options.Beta1) * g;
                v[k] = options.Beta2 * v[k] + (1 - options.Beta2) * g * g;
                p[k] -= options.LearningRate * (m[k] / bc1) / (Math.Sqrt(v[k]) / Math.Sqrt(bc2) + options.Epsilon);
            }
        }
        var actual = param.ToArray<double>();
        Assert.Equal(p[0], actual[0], 1e-6);
        Assert.Equal(p[1], actual[1], 1e-6);
        Assert.NotEqual(1.0, actual[0], 1e-2);
        Assert.Equal([3.0, 4.0], frozen.ToArray<double>()); // skipped: no decay, no state
        Assert.Equal(3, optimizer.StepCount);

        var (state, metadata) = optimizer.StateDict();
        Assert.Equal(["exp_avg.p", "exp_avg_sq.p"], state.Select(s => s.Key));
        var expAvg = state[0].Value.ToArray<double>();
        var expAvgSq = state[1].Value.ToArray<double>();
        for (var k = 0; k < 2; k++)
        {
            Assert.Equal(m[k], expAvg[k], 1e-12);
            Assert.Equal(v[k], expAvgSq[k], 1e-12);
        }
        Assert.Equal("3", metadata["step"]);
        Assert.Equal("adamw", metadata["optimizer"]);
    }

    [Fact]
    public void Should_ContinueBitIdentically_When_StateIsSavedAndLoaded()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(21);
        var x = Tensor.Randn([8, 4], generator);
        var y = Tensor.Randn([8, 3], generator);
        var options = new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.1 };
        using var model = new Linear(4, 3, generator);
        using var optimizer = new AdamW(model.NamedParameters(), options);
        Train(model, optimizer, x, y, 3);
        var dir = Path.Combine(Path.GetTempPath(), "flowtune-adamw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var modelPath = Path.Combine(dir, "model.safetensors");
            var optimizerPath = Path.Combine(dir, "optimizer.safetensors");
            TensorFile.Save(modelPath, model.StateDict());
            var (state, metadata) = optimizer.StateDict();
            TensorFile.Save(optimizerPath, state, metadata);

            // When: the original continues, and a fresh model + optimizer resumes from the files
            Train(model, optimizer, x, y, 3);
            var expected = model.StateDict().Select(p => p.Value.ToArray<float>()).ToList();

            using var other = new Generator(999);
            using var resumed = new Linear(4, 3, other);
            using var resumedOptimizer = new AdamW(resumed.NamedParameters(), options with { LearningRate = 0.5 });
            resumed.LoadStateDict(TensorFile.Load(modelPath).Tensors);
            var (savedState, savedMetadata) = TensorFile.Load(optimizerPath);
            resumedOptimizer.LoadStateDict(savedState, savedMetadata);
            Train(resumed, resumedOptimizer, x, y, 3);

            using var control = new Linear(4, 3, other);
            using var controlOptimizer = new AdamW(control.NamedParameters(), options);
            control.LoadStateDict(TensorFile.Load(modelPath).Tensors);
            Train(control, controlOptimizer, x, y, 3);

            // Then
            Assert.Equal(6, optimizer.StepCount);
            Assert.Equal(6, resumedOptimizer.StepCount);
            Assert.Equal(options.LearningRate, resumedOptimizer.LearningRate);
            var actual = resumed.StateDict().Select(p => p.Value.ToArray<float>()).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var k = 0; k < expected.Count; k++)
            {
                Assert.Equal(expected[k], actual[k]); // bit-identical
            }
            // Without the optimizer state the trajectory differs (so the comparison above is meaningful).
            Assert.NotEqual(expected[0], control.Weight.ToArray<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_RejectStateOfUnknownParameters_When_Loading()
    {
        // Given
        using var scope = TensorScope.Enter();
        var p = Tensor.Zeros([2]).WithRequiresGrad();
        using var optimizer = new AdamW([new("p", p)], new AdamWOptions());
        var meta = new Dictionary<string, string> { ["step"] = "1" };

        // When
        var unknown = Assert.Throws<InvalidDataException>(() => optimizer.LoadStateDict(
            new Dictionary<string, Tensor> { ["exp_avg.q"] = Tensor.Zeros([2]), ["exp_avg_sq.q"] = Tensor.Zeros([2]) }, meta));
        var incomplete = Assert.Throws<InvalidDataException>(() => optimizer.LoadStateDict(
            new Dictionary<string, Tensor> { ["exp_avg.p"] = Tensor.Zeros([2]) }, meta));
        var noStep = Assert.Throws<InvalidDataException>(() => optimizer.LoadStateDict(new Dictionary<string, Tensor>(), new Dictionary<string, string>()));

        // Then
        Assert.Contains("unknown parameter 'q'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'p' is incomplete", incomplete.Message, StringComparison.Ordinal);
        Assert.Contains("'step'", noStep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_RejectWrongShapesAndKeepState_When_LoadingMismatchedState()
    {
        // Given: an optimizer with real state after one step
        using var scope = TensorScope.Enter();
        var p = Tensor.Zeros([2, 3]).WithRequiresGrad();
        using var optimizer = new AdamW([new("p", p)], new AdamWOptions());
        (p * Tensor.Arange(1, 7, 1).View(2, 3)).Sum().Backward();
        optimizer.Step();
        var (state, _) = optimizer.StateDict();
        var before = state.Select(s => s.Value.ToArray<float>()).ToList();
        var meta = new Dictionary<string, string> { ["step"] = "5" };

        // When: moments that would silently broadcast into [2, 3], and a state missing exp_avg_sq
        var broadcastable = Assert.Throws<InvalidDataException>(() => optimizer.LoadStateDict(
            new Dictionary<string, Tensor> { ["exp_avg.p"] = Tensor.Ones([3]), ["exp_avg_sq.p"] = Tensor.Ones([1]) }, meta));
        var incomplete = Assert.Throws<InvalidDataException>(() => optimizer.LoadStateDict(
            new Dictionary<string, Tensor> { ["exp_avg.p"] = Tensor.Ones([2, 3]) }, meta));

        // Then: both are rejected up front and the existing state survives untouched
        Assert.Contains("'exp_avg.p' has shape [3] but parameter 'p' has shape [2, 3]", broadcastable.Message, StringComparison.Ordinal);
        Assert.Contains("'p' is incomplete", incomplete.Message, StringComparison.Ordinal);
        Assert.Equal(1, optimizer.StepCount);
        var (after, _) = optimizer.StateDict();
        Assert.Equal(before, after.Select(s => s.Value.ToArray<float>()).ToList());
    }

    [Fact]
    public void Should_Throw_When_OptionsAreInvalidOrNamesRepeat()
    {
        // Given
        using var scope = TensorScope.Enter();
        var p = Tensor.Zeros([1]).WithRequiresGrad();

        // When
        var invalid = Assert.Throws<ArgumentException>(() => new AdamW([new("p", p)], new AdamWOptions { LearningRate = 0, Beta2 = 1 }));
        var repeated = Assert.Throws<ArgumentException>(() => new AdamW([new("p", p), new("p", p)], new AdamWOptions()));

        // Then
        Assert.Contains("learning rate", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("beta2", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("'p' appears twice", repeated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ScaleToMaxNormAndReturnPreClipNorm_When_NormExceedsMax()
    {
        // Given
        using var scope = TensorScope.Enter();
        var (a, b, none) = ParametersWithGradients();

        // When
        var norm = GradClip.ClipGradNorm([a, b, none], 1.0);

        // Then
        var scale = 1.0 / (5.0 + 1e-6);
        Assert.Equal(5.0, norm, 6);
        var ga = a.Grad!.ToArray<double>();
        var gb = b.Grad!.ToArray<double>();
        Assert.Equal(3 * scale, ga[0], 12);
        Assert.Equal(0.0, ga[1]);
        Assert.Equal(4 * scale, gb[0], 12);
        Assert.Equal(1.0, Math.Sqrt(ga[0] * ga[0] + gb[0] * gb[0]), 5);
        Assert.Null(none.Grad);
    }

    [Fact]
    public void Should_LeaveGradientsUnchanged_When_NormIsBelowMax()
    {
        // Given
        using var scope = TensorScope.Enter();
        var (a, b, none) = ParametersWithGradients();

        // When
        var norm = GradClip.ClipGradNorm([a, b, none], 10.0);
        var empty = GradClip.ClipGradNorm([none], 1.0);

        // Then
        Assert.Equal(5.0, norm, 6);
        Assert.Equal([3.0, 0.0], a.Grad!.ToArray<double>());
        Assert.Equal([4.0], b.Grad!.ToArray<double>());
        Assert.Equal(0.0, empty);
    }

    private static (Tensor A, Tensor B, Tensor None) ParametersWithGradients()
    {
        var a = Tensor.Zeros([2], DType.Float64).WithRequiresGrad();
        var b = Tensor.Zeros([1], DType.Float64).WithRequiresGrad();
        var none = Tensor.Zeros([3], DType.Float64).WithRequiresGrad();
        ((a * Tensor.FromArray(new[] { 3.0, 0.0 }, 2)).Sum() + (b * 4.0).Sum()).Backward();
        return (a, b, none);
    }

    private static void Train(Linear model, AdamW optimizer, Tensor x, Tensor y, int steps)
    {
        for (var s = 0; s < steps; s++)
        {
            using var scope = TensorScope.Enter();
            optimizer.ZeroGrad();
            F.MseLoss(model.Forward(x), y).Backward();
            optimizer.Step();
        }
    }
}
