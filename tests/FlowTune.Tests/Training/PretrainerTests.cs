using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Training;

public sealed class PretrainerTests
{
    private static readonly PretrainOptions Tiny = new()
    {
        Preset = "tiny-unet",
        ImageSize = 16,
        BatchSize = 4,
        WarmupSteps = 2,
        MaxSteps = 4,
        LogEvery = 1,
        CheckpointEvery = 2,
        EvalEvery = 0,
        Seed = 3,
    };

    private static ShapesImageTextSource Source()
    {
        var (train, _) = new ShapesWorld().DefaultPrompts();
        return new ShapesImageTextSource(train, 16);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void Should_EndWithIdenticalWeights_When_RunIsInterruptedAndResumed(double captionLabelWeight)
    {
        // Given
        var straight = Path.Combine(Path.GetTempPath(), $"pt-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"pt-b-{Guid.NewGuid():N}");
        var options = Tiny with { CaptionLabelWeight = captionLabelWeight };

        // When
        new Pretrainer(options, Source(), straight, TextWriter.Null).Run(resume: false, CancellationToken.None);
        new Pretrainer(options with { MaxSteps = 2 }, Source(), resumed, TextWriter.Null).Run(resume: false, CancellationToken.None);
        new Pretrainer(options, Source(), resumed, TextWriter.Null).Run(resume: true, CancellationToken.None);

        // Then
        string[] files = captionLabelWeight > 0
            ? ["model.safetensors", "ema.safetensors", "optimizer.safetensors", "caption_head.safetensors"]
            : ["model.safetensors", "ema.safetensors", "optimizer.safetensors"];
        CheckpointAssert.SameFiles(Path.Combine(straight, "checkpoint_000004"), Path.Combine(resumed, "checkpoint_000004"), files);
        Assert.Equal(captionLabelWeight > 0, File.Exists(Path.Combine(straight, "checkpoint_000004", "caption_head.safetensors")));
        Directory.Delete(straight, true);
        Directory.Delete(resumed, true);
    }

    [Fact]
    public void Should_StartFromAModelsWeights_When_InitFromIsGiven()
    {
        // Given: a trained tiny model, then one more step at a negligible learning rate from it, and from scratch
        var source = Path.Combine(Path.GetTempPath(), $"pt-i-{Guid.NewGuid():N}");
        var continued = Path.Combine(Path.GetTempPath(), $"pt-j-{Guid.NewGuid():N}");
        var fresh = Path.Combine(Path.GetTempPath(), $"pt-k-{Guid.NewGuid():N}");
        new Pretrainer(Tiny, Source(), source, TextWriter.Null).Run(false, CancellationToken.None);
        var once = Tiny with { MaxSteps = 1, LearningRate = 1e-12, Seed = 9 };

        // When
        new Pretrainer(once with { InitFrom = Path.Combine(source, "final"), Preset = "unknown-preset-is-ignored" }, Source(), continued, TextWriter.Null)
            .Run(false, CancellationToken.None);
        new Pretrainer(once, Source(), fresh, TextWriter.Null).Run(false, CancellationToken.None);

        // Then: the continued model is the source model (to float rounding); the fresh one is not
        using var a = ModelCheckpoint.Load(Path.Combine(source, "final"));
        using var b = ModelCheckpoint.Load(Path.Combine(continued, "final"));
        using var c = ModelCheckpoint.Load(Path.Combine(fresh, "final"));
        static double MaxDiff(FlowModel x, FlowModel y) => x.StateDict().Zip(y.StateDict())
            .Max(p => p.First.Value.ToArray<float>().Zip(p.Second.Value.ToArray<float>()).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(MaxDiff(a, b) < 1e-6, $"continued model moved by {MaxDiff(a, b)}");
        Assert.True(MaxDiff(a, c) > 1e-2);
        foreach (var d in new[] { source, continued, fresh })
        {
            Directory.Delete(d, true);
        }
    }

    [Fact]
    public void Should_TrainOnlyTheTextThenOnlyTheImageNetwork_When_TheEncoderIsPretrainedAndFrozen()
    {
        // Given: a text-only language stage, then an image model from scratch on its frozen encoder
        var language = Path.Combine(Path.GetTempPath(), $"pt-text-{Guid.NewGuid():N}");
        var image = Path.Combine(Path.GetTempPath(), $"pt-frozen-{Guid.NewGuid():N}");
        var fresh = Path.Combine(Path.GetTempPath(), $"pt-fresh-{Guid.NewGuid():N}");

        // When
        new Pretrainer(Tiny with { TextOnly = true, CaptionLabelWeight = 1, LearningRate = 1e-2, MaxSteps = 20, CheckpointEvery = 20 }, Source(), language, TextWriter.Null)
            .Run(false, CancellationToken.None);
        new Pretrainer(Tiny with { TextEncoderFrom = Path.Combine(language, "final"), FreezeText = true }, Source(), image, TextWriter.Null).Run(false, CancellationToken.None);
        new Pretrainer(Tiny with { MaxSteps = 1, LearningRate = 1e-12, WarmupSteps = 1_000_000 }, Source(), fresh, TextWriter.Null).Run(false, CancellationToken.None);

        // Then: the language stage moved the encoder and left the image network at its initialisation; the second
        // stage kept that encoder exactly and trained the image network
        static Dictionary<string, float[]> Weights(string dir)
        {
            var (tensors, _) = TensorFile.Load(Path.Combine(dir, "final", ModelCheckpoint.WeightsFile));
            var arrays = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());
            TensorFile.DisposeAll(tensors);
            return arrays;
        }
        var (text, frozen, init) = (Weights(language), Weights(image), Weights(fresh));
        static double Change(Dictionary<string, float[]> a, Dictionary<string, float[]> b, bool textPart) =>
            a.Where(kv => kv.Key.StartsWith("text.", StringComparison.Ordinal) == textPart).Sum(kv => kv.Value.Zip(b[kv.Key]).Sum(p => Math.Abs(p.First - p.Second)));
        Assert.True(Change(text, init, textPart: true) > 1e-2, "the language stage trains the encoder");
        Assert.True(Change(text, init, textPart: false) < 1e-6, "the language stage leaves the image network alone");
        Assert.Equal(0, Change(frozen, text, textPart: true));
        Assert.True(Change(frozen, init, textPart: false) > 1e-2, "the second stage trains the image network");
        var error = Assert.Throws<ArgumentException>(() => new Pretrainer(Tiny with { TextOnly = true, FreezeText = true }, Source(), fresh, TextWriter.Null));
        Assert.Contains("text_only needs caption_label_weight > 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("text_only and freeze_text exclude each other", error.Message, StringComparison.Ordinal);
        foreach (var dir in new[] { language, image, fresh })
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Should_AttachColourWordsToTheirNouns_When_TrainedWithCaptionLabels()
    {
        // Given: the same tiny run with and without the caption-structure loss
        var plain = Path.Combine(Path.GetTempPath(), $"pt-p-{Guid.NewGuid():N}");
        var labelled = Path.Combine(Path.GetTempPath(), $"pt-l-{Guid.NewGuid():N}");
        var options = Tiny with { MaxSteps = 80, LearningRate = 1e-2, BatchSize = 16, CheckpointEvery = 80 };

        // When
        new Pretrainer(options, Source(), plain, TextWriter.Null).Run(false, CancellationToken.None);
        new Pretrainer(options with { CaptionLabelWeight = 1 }, Source(), labelled, TextWriter.Null).Run(false, CancellationToken.None);

        // Then: the token of "cross" (word 5, token 6) changes with the colour word before it only in the labelled
        // model, and the subject of a position prompt (token 5) still says which shape it is
        static (double ColourShift, double IdentityShift, double Norm) Shifts(string dir)
        {
            using var model = ModelCheckpoint.Load(Path.Combine(dir, "checkpoint_000080"));
            var colour = TextEncodingDiff.Compare(model.Text, "a photo of a red cross and a blue ring", "a photo of a blue cross and a red ring");
            var identity = TextEncodingDiff.Compare(model.Text, "a photo of a cross left of a ring", "a photo of a ring left of a cross");
            return (colour.Rows[6].Distance, identity.Rows[5].Distance, identity.MeanTokenNorm);
        }
        var (without, with) = (Shifts(plain), Shifts(labelled));
        Assert.True(with.ColourShift > 3 * without.ColourShift, $"noun token shift {with.ColourShift:F3} with caption labels, {without.ColourShift:F3} without");
        Assert.True(with.IdentityShift > 0.25 * with.Norm, $"subject token shift {with.IdentityShift:F3}, token norm {with.Norm:F3}");
        var losses = File.ReadLines(Path.Combine(labelled, "metrics.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<MetricsLine>(l, Json.Options)!.CaptionLoss!.Value).ToList();
        Assert.True(losses[^1] < 0.5 * losses[0], $"caption loss {losses[0]:F3} → {losses[^1]:F3}");
        Directory.Delete(plain, true);
        Directory.Delete(labelled, true);
    }

    [Fact]
    public void Should_Refuse_When_CaptionLabelsAreAskedOfASourceWithout()
    {
        // When
        var error = Assert.Throws<ArgumentException>(() => new Pretrainer(Tiny with { CaptionLabelWeight = 1 }, new UnlabelledSource(), "/tmp/unused", TextWriter.Null));

        // Then
        Assert.Contains("caption_label_weight is 1, but the training source has no caption labels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, 0.0, "saved with a caption-structure head")]
    [InlineData(0.0, 1.0, "saved without a caption-structure head")]
    public void Should_NameTheCaptionWeight_When_ResumedWithADifferentOne(double trained, double resumed, string expected)
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"pt-r-{Guid.NewGuid():N}");
        new Pretrainer(Tiny with { MaxSteps = 2, CaptionLabelWeight = trained }, Source(), dir, TextWriter.Null).Run(false, CancellationToken.None);

        // When
        var error = Assert.Throws<InvalidOperationException>(() =>
            new Pretrainer(Tiny with { CaptionLabelWeight = resumed }, Source(), dir, TextWriter.Null).Run(true, CancellationToken.None));

        // Then
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("caption_label_weight", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    private sealed record MetricsLine(long Step, double Loss, double? CaptionLoss);

    private sealed class UnlabelledSource : IImageTextSource
    {
        public long[] ImageShape => [3, 16, 16];

        public IReadOnlyList<string> Vocabulary => ["a"];

        public ImageTextBatch Batch(int count, int seed) => new(Enumerable.Repeat("a", count).ToList(), new float[count * 3 * 16 * 16]);
    }

    [Fact]
    public void Should_StartAsTheSourceModel_When_PositionFeaturesAreAdded()
    {
        // Given: a trained tiny model, continued with position features at a negligible learning rate
        var source = Path.Combine(Path.GetTempPath(), $"pt-s-{Guid.NewGuid():N}");
        var grown = Path.Combine(Path.GetTempPath(), $"pt-g-{Guid.NewGuid():N}");
        new Pretrainer(Tiny, Source(), source, TextWriter.Null).Run(false, CancellationToken.None);
        var start = Tiny with { MaxSteps = 1, LearningRate = 1e-12, InitFrom = Path.Combine(source, "final") };

        // When
        new Pretrainer(start with { AddPositionFeatures = 8 }, Source(), grown, TextWriter.Null).Run(false, CancellationToken.None);
        var again = Assert.Throws<InvalidOperationException>(() =>
            new Pretrainer(start with { AddPositionFeatures = 8, InitFrom = Path.Combine(grown, "final") }, Source(), grown + "-x", TextWriter.Null).Run(false, CancellationToken.None));

        // Then: the grown model has the features and predicts what the source predicts
        using var a = ModelCheckpoint.Load(Path.Combine(source, "final"));
        using var b = ModelCheckpoint.Load(Path.Combine(grown, "final"));
        Assert.Equal(8, b.Config.UNet.PositionFeatures);
        Assert.Contains(b.NamedParameters(), p => p.Key.Contains(".position.", StringComparison.Ordinal));
        using var scope = TensorScope.Enter();
        using var generator = new Generator(1);
        var x = Tensor.Randn([2, 3, 16, 16], generator);
        var t = Tensor.Rand([2], generator);
        using var textA = a.EncodeText(["a photo of a cross left of a ring", ""]);
        using var textB = b.EncodeText(["a photo of a cross left of a ring", ""]);
        var va = a.Velocity(x, t, textA).ToArray<float>();
        var vb = b.Velocity(x, t, textB).ToArray<float>();
        Assert.True(va.Zip(vb).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);
        Assert.Contains("needs a U-Net without position features", again.Message, StringComparison.Ordinal);
        Directory.Delete(source, true);
        Directory.Delete(grown, true);
    }

    [Fact]
    public void Should_NameTheFolder_When_InitFromIsNotAModel()
    {
        // When
        var problems = (Tiny with { InitFrom = "/nonexistent/model" }).Validate();

        // Then
        Assert.Contains("init_from must be a model folder (with model.json), got '/nonexistent/model'", problems);
    }

    [Fact]
    public void Should_KeepNewestCheckpointsAndExportFinalModel_When_Finished()
    {
        // Given
        var dir = Path.Combine(Path.GetTempPath(), $"pt-c-{Guid.NewGuid():N}");

        // When
        new Pretrainer(Tiny with { MaxSteps = 6, KeepCheckpoints = 2 }, Source(), dir, TextWriter.Null).Run(false, CancellationToken.None);

        // Then
        var kept = new CheckpointStore(dir, 2).List().Select(c => c.Step).ToArray();
        Assert.Equal([4L, 6L], kept);
        using var model = ModelCheckpoint.Load(Path.Combine(dir, "final"));
        Assert.Equal(16, model.Config.ImageSize);
        var state = Json.Read<Pretrainer.TrainerState>(Path.Combine(dir, "checkpoint_000006", "trainer_state.json"));
        Assert.Equal(6, state.Step);
        Assert.True(File.Exists(Path.Combine(dir, "options.json")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Should_ReportEveryBadField_When_OptionsAreInvalid()
    {
        // Given
        var bad = Tiny with { BatchSize = 0, LearningRate = -1, CaptionDropout = 1.5, CaptionLabelWeight = -2, AddPositionFeatures = 6 };

        // When
        var problems = bad.Validate();

        // Then
        Assert.Equal(6, problems.Count);
        Assert.Contains("add_position_features must be 0 or a multiple of 4 up to 64, got 6", problems);
        Assert.Contains("add_position_features (6) needs init_from", problems);
        Assert.Contains("caption_label_weight must be >= 0, got -2", problems);
        Assert.Contains(problems, p => p.Contains("batch_size", StringComparison.Ordinal) && p.Contains('0', StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("learning_rate", StringComparison.Ordinal) && p.Contains("-1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("caption_dropout", StringComparison.Ordinal) && p.Contains("1.5", StringComparison.Ordinal));
    }
}
