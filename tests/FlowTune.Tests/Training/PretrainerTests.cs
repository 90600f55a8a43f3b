using FlowTune.IO;
using FlowTune.Models;
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

    [Fact]
    public void Should_EndWithIdenticalWeights_When_RunIsInterruptedAndResumed()
    {
        // Given
        var straight = Path.Combine(Path.GetTempPath(), $"pt-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"pt-b-{Guid.NewGuid():N}");

        // When
        new Pretrainer(Tiny, Source(), straight, TextWriter.Null).Run(resume: false, CancellationToken.None);
        new Pretrainer(Tiny with { MaxSteps = 2 }, Source(), resumed, TextWriter.Null).Run(resume: false, CancellationToken.None);
        new Pretrainer(Tiny, Source(), resumed, TextWriter.Null).Run(resume: true, CancellationToken.None);

        // Then
        CheckpointAssert.SameFiles(Path.Combine(straight, "checkpoint_000004"), Path.Combine(resumed, "checkpoint_000004"), "model.safetensors", "ema.safetensors", "optimizer.safetensors");
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
        var bad = Tiny with { BatchSize = 0, LearningRate = -1, CaptionDropout = 1.5 };

        // When
        var problems = bad.Validate();

        // Then
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("batch_size", StringComparison.Ordinal) && p.Contains('0', StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("learning_rate", StringComparison.Ordinal) && p.Contains("-1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("caption_dropout", StringComparison.Ordinal) && p.Contains("1.5", StringComparison.Ordinal));
    }
}
