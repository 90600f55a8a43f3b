using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Nn;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Models;

public sealed class FlowModelTests
{
    private static readonly string[] Words = "a photo of red blue circle square two".Split(' ');

    private static FlowModel Tiny(string preset, ulong seed = 1)
    {
        using var generator = new Generator(seed);
        return new FlowModel(ModelPresets.Get(preset, 16), new Tokenizer(Words, 8), generator);
    }

    [Theory]
    [InlineData("tiny-unet")]
    [InlineData("tiny-mmdit")]
    [InlineData("unet-small-pos")]
    public void Should_PredictVelocityOfInputShapeAndBackprop_When_Forwarded(string preset)
    {
        // Given
        using var scope = TensorScope.Enter();
        using var model = Tiny(preset);
        using var generator = new Generator(2);
        var x = Tensor.Randn([3, 3, 16, 16], generator);
        var t = Tensor.Rand([3], generator);
        using var text = model.EncodeText(["a photo of a red circle", "", "unknown words only"]);

        // When
        var v = model.Velocity(x, t, text);
        v.Square().Mean().Backward();

        // Then
        Assert.Equal([3L, 3L, 16L, 16L], v.Shape);
        var withGrad = model.Parameters().Count(p => p.Grad is not null);
        Assert.Equal(model.Parameters().Count(), withGrad);
    }

    [Fact]
    public void Should_MapUnknownWordsToUnk_When_Tokenizing()
    {
        // Given
        var tokenizer = new Tokenizer(Words, 6);

        // When
        var ids = tokenizer.Encode("A photo of a GIRAFFE!");
        var empty = tokenizer.Encode("");

        // Then
        Assert.Equal(Tokenizer.BosId, ids[0]);
        Assert.Equal(Tokenizer.UnkId, ids[^1]);
        Assert.Equal([Tokenizer.BosId], empty);
        Assert.Equal(6, tokenizer.Encode("a a a a a a a a a").Length);
    }

    [Fact]
    public void Should_EqualConditionalPrediction_When_GuidanceScaleIsOne()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var model = Tiny("tiny-unet");
        using var generator = new Generator(3);
        PerturbZeroInitWeights(model, generator);
        var x = Tensor.Randn([2, 3, 16, 16], generator);
        string[] prompts = ["a photo of a red circle", "a photo of two squares"];
        using var noGrad = Autograd.NoGrad();

        // When
        using var guided1 = new GuidedVelocity(model, prompts, 1.0);
        using var guided3 = new GuidedVelocity(model, prompts, 3.0);
        using var text = model.EncodeText(prompts);
        var conditional = model.Velocity(x, Tensor.Full([2], 0.4), text);
        var g1 = guided1.At(x, 0.4);
        var g3 = guided3.At(x, 0.4);

        // Then
        Assert.Equal(conditional.ToArray<float>(), g1.ToArray<float>());
        Assert.True((g3 - conditional).Abs().Max().Item() > 1e-6, "scale 3 must differ from the conditional prediction");
    }

    [Theory]
    [InlineData("tiny-unet")]
    [InlineData("tiny-mmdit")]
    [InlineData("unet-small-pos")]
    public void Should_RoundTripBitIdentically_When_CheckpointIsSavedAndLoaded(string preset)
    {
        // Given
        using var scope = TensorScope.Enter();
        using var model = Tiny(preset, seed: 9);
        using var generator = new Generator(4);
        PerturbZeroInitWeights(model, generator);
        var dir = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}");

        // When
        ModelCheckpoint.Save(dir, model);
        using var loaded = ModelCheckpoint.Load(dir);
        Directory.Delete(dir, true);

        // Then
        var expected = model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToBytes());
        var actual = loaded.StateDict().ToDictionary(p => p.Key, p => p.Value.ToBytes());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"tensor {name} differs");
        }
        Assert.Equal(model.Text.Tokenizer.Vocabulary, loaded.Text.Tokenizer.Vocabulary);
    }

    [Fact]
    public void Should_ReduceLossTenfold_When_OverfittingAFixedBatch()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var model = Tiny("tiny-unet", seed: 5);
        using var optimizer = new AdamW(model.NamedParameters(), new AdamWOptions { LearningRate = 3e-3, WeightDecay = 0 });
        using var generator = new Generator(6);
        var x0 = (Tensor.Rand([4, 3, 16, 16], generator) * 2.0 - 1.0);
        var eps = Tensor.Randn([4, 3, 16, 16], generator);
        var t = Tensor.FromArray(new float[] { 0.2f, 0.4f, 0.6f, 0.8f }, 4);
        var tv = t.View(4, 1, 1, 1);
        var xt = x0 * (1.0 - tv) + eps * tv;
        string[] prompts = ["a photo of a red circle", "a photo of a blue square", "a photo of two squares", ""];
        double first = 0, last = 0;

        // When
        for (var step = 0; step < 300; step++)
        {
            using var stepScope = TensorScope.Enter();
            using var text = model.EncodeText(prompts);
            var loss = F.MseLoss(model.Velocity(xt, t, text), eps - x0);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            last = loss.Item();
            if (step == 0)
            {
                first = last;
            }
        }

        // Then
        Assert.True(last < first / 10, $"loss fell from {first:F4} to {last:F4}, less than 10×");
    }

    /// <summary>Zero-initialised output layers make every prompt predict 0; perturb them so comparisons mean something.</summary>
    internal static void PerturbZeroInitWeights(Module model, Generator generator)
    {
        using var noGrad = Autograd.NoGrad();
        foreach (var p in model.Parameters())
        {
            using var scope = TensorScope.Enter();
            p.Add_(Tensor.Randn(p.Shape, generator), 0.05);
        }
    }
}
