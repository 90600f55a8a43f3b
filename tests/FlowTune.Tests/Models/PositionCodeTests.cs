using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Models.UNet;
using FlowTune.Torch;

namespace FlowTune.Tests.Models;

public sealed class PositionCodeTests
{
    private static readonly string[] Words = "a circle left of square".Split(' ');

    [Fact]
    public void Should_TellLeftFromRightAndTopFromBottom_When_FeaturesAreBuilt()
    {
        // Given: a 2×4 grid with 8 features (2 octaves)
        const int height = 2, width = 4, features = 8;

        // When
        var code = PositionCode.Features(height, width, features);
        float At(int y, int x, int f) => code[(((y * width) + x) * features) + f];

        // Then: octave 0's cosine of u is positive left of centre, negative right of it, and mirrors across the centre
        Assert.Equal(height * width * features, code.Length);
        Assert.Equal(Math.Cos(Math.PI * 0.125), At(0, 0, 1), 1e-6);
        Assert.True(At(0, 1, 1) > 0 && At(0, 2, 1) < 0);
        Assert.Equal(-At(1, 0, 1), At(1, 3, 1), 1e-6);
        // the u features do not depend on the row, the v features not on the column
        Assert.Equal(At(0, 2, 4), At(1, 2, 4));
        Assert.Equal(At(1, 0, 3), At(1, 3, 3));
        Assert.True(At(0, 1, 3) > 0 && At(1, 1, 3) < 0);
        // octave 1 doubles the frequency: sin(2π·0.125) = sin(π/4)
        Assert.Equal(Math.Sin(Math.PI / 4), At(0, 0, 4), 1e-6);
    }

    [Fact]
    public void Should_StartAsTheSameNetwork_When_PositionFeaturesAreAdded()
    {
        // Given: the same seed with and without position features
        using var scope = TensorScope.Enter();
        var plain = ModelPresets.Get("tiny-unet", 16);
        var withCode = plain with { UNet = plain.UNet with { PositionFeatures = 8 } };
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var a = new FlowModel(plain, new Tokenizer(Words, 8), g1);
        using var b = new FlowModel(withCode, new Tokenizer(Words, 8), g2);
        using var generator = new Generator(4);
        var x = Tensor.Randn([2, 3, 16, 16], generator);
        var t = Tensor.FromArray(new float[] { 0.3f, 0.8f }, 2);
        using var noGrad = Autograd.NoGrad();
        var stateA = a.StateDict().ToDictionary(p => p.Key, p => p.Value);
        var stateB = b.StateDict().ToDictionary(p => p.Key, p => p.Value);
        var extra = stateB.Keys.Except(stateA.Keys).ToList();

        // When: the zero-initialised layers (which make both networks predict exactly 0) get the same perturbation
        // in both, as after training; the code's projection stays as initialised
        var drawnAlike = stateA.All(p => p.Value.ToArray<float>().SequenceEqual(stateB[p.Key].ToArray<float>()));
        var extraAreZero = extra.All(name => stateB[name].ToArray<float>().All(w => w == 0f));
        var parametersB = b.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (name, weight) in a.NamedParameters())
        {
            using var inner = TensorScope.Enter();
            var noise = Tensor.Randn(weight.Shape, generator);
            weight.Add_(noise, 0.05);
            parametersB[name].Add_(noise, 0.05);
        }
        using var textA = a.EncodeText(["a circle left of a square", ""]);
        using var textB = b.EncodeText(["a circle left of a square", ""]);
        var va = a.Velocity(x, t, textA).ToArray<float>();
        var vb = b.Velocity(x, t, textB).ToArray<float>();
        foreach (var name in extra)
        {
            using var inner = TensorScope.Enter();
            stateB[name].Add_(Tensor.Randn(stateB[name].Shape, generator), 0.05);   // a trained code, for contrast
        }
        var vTrained = b.Velocity(x, t, textB).ToArray<float>();

        // Then: every shared weight is drawn alike (same seed, same draws: exact), the extra weights are the
        // code's and zero, and the outputs agree, to float rounding only: the networks run different graphs (one
        // adds a zero code). The velocity reaches ~1, so 1e-5 is ~100 float32 steps; the trained code moves it
        // by ~0.2, four orders of magnitude more.
        Assert.True(drawnAlike);
        Assert.NotEmpty(extra);
        Assert.All(extra, name => Assert.Contains(".position.", name));
        Assert.True(extraAreZero, "the code's projection must start at zero");
        const double rounding = 1e-5;
        Assert.True(va.Max(Math.Abs) > 0.1, $"the perturbed network predicts at most {va.Max(Math.Abs):E3}");
        Assert.True(MaxDifference(va, vb) <= rounding, $"the zero code changes the velocity by {MaxDifference(va, vb):E3}");
        Assert.True(MaxDifference(va, vTrained) > 100 * rounding, $"a trained code changes the velocity by only {MaxDifference(va, vTrained):E3}");
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
    }

    [Fact]
    public void Should_LetAttentionSeeWherePixelsAre_When_TheCodeIsTrained()
    {
        // Given: a feature map that is the same at every pixel, through attention blocks without and with the code
        using var scope = TensorScope.Enter();
        using var generator = new Generator(5);
        using var plain = new SpatialAttention(8, 8, 2, true, true, generator);
        using var coded = new SpatialAttention(8, 8, 2, true, true, generator, positionFeatures: 8);
        using var noGrad = Autograd.NoGrad();
        foreach (var p in plain.Parameters().Concat(coded.Parameters()))
        {
            using var inner = TensorScope.Enter();
            p.Add_(Tensor.Randn(p.Shape, generator), 0.1);                 // as after training: no zero-init weights left
        }
        var x = Tensor.Randn([1, 8, 1, 1], generator).Expand(1, 8, 4, 4).Contiguous(); // [1, C, 4, 4], constant in space
        var tokens = Tensor.Randn([1, 3, 8], generator);
        using var text = new TextBatch(tokens, Tensor.Zeros([1, 3], DType.Bool), tokens.Mean(1));

        // When
        var outPlain = plain.Forward(x, text);                              // [1, C, 4, 4]
        var outCoded = coded.Forward(x, text);

        // Then: without the code every pixel gets the same output; with it the left and right columns differ.
        // "The same" is up to float32 rounding: the pixels are different rows of one matrix product, and a BLAS
        // kernel may round rows in different register tiles differently (OpenBLAS's Haswell kernel: up to 2.4e-7
        // on outputs of size ~2, i.e. one float32 step). The code moves the columns apart by ~0.4, so the 1e-5
        // tolerance is 40 steps above the rounding, and the 1e-3 the coded block must exceed is 100× above that.
        const double rounding = 1e-5;
        var plainSpread = ColumnDifference(outPlain);
        Assert.True(plainSpread <= rounding, $"without the code the left and right columns differ by {plainSpread:E3}");
        var codedSpread = ColumnDifference(outCoded);
        Assert.True(codedSpread > 100 * rounding, $"with the code the left and right columns differ by only {codedSpread:E3}");
    }

    // Largest |left column − right column| of a [1, C, H, W] map.
    private static double ColumnDifference(Tensor map)
    {
        var left = map.Select(3, 0).ToArray<float>();
        var right = map.Select(3, 3).ToArray<float>();
        return left.Zip(right).Max(p => Math.Abs(p.First - p.Second));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-4)]
    [InlineData(68)]
    public void Should_NameTheBadValue_When_PositionFeaturesAreInvalid(int features)
    {
        // Given
        var config = new UNetConfig { PositionFeatures = features };

        // When
        var problems = config.Validate().ToList();

        // Then
        var problem = Assert.Single(problems);
        Assert.Contains($"unet.position_features must be 0 or a multiple of 4 up to 64, got {features}", problem);
    }
}
