using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Models.Sd3;
using FlowTune.Nn;
using FlowTune.Rl;
using FlowTune.Rl.Config;
using FlowTune.Rl.Objectives;
using FlowTune.Rl.Update;
using FlowTune.Tests.Models.Sd3;
using FlowTune.Torch;

namespace FlowTune.Tests.Rl;

/// <summary>Flow-GRPO with LoRA on the tiny random-weight SD3 pipeline (tests/FlowTune.Tests/Data/sd3/pipeline-tiny).</summary>
[Collection("Serial")]
public sealed class Sd3RlTests
{
    /// <summary>The tiny RL config on the tiny pipeline: the reference's LoRA targets and Gaussian init, rank 4.</summary>
    private static RlConfig TinySd3() => RlTrainerTests.Tiny(lora: true) with
    {
        Pretrained = new PretrainedOptions { Model = Sd3Fixtures.Folder("pipeline-tiny"), Pipeline = new Sd3PipelineOptions { MaxSequenceLength = 12 } },
        Train = RlTrainerTests.Tiny(lora: true).Train with { LoraTargets = [.. Sd3Lora.ReferenceTargets], LoraRank = 4, LoraAlpha = 8, LoraInit = LoraInit.Gaussian },
    };

    [Fact]
    public void Should_CheckpointOnlyAdaptersAndResumeBitIdentically_When_TrainingAnSd3PipelineWithLora()
    {
        // Given: the same 2-epoch run straight through, and stopped after epoch 1 then resumed
        var config = TinySd3();
        var straight = Path.Combine(Path.GetTempPath(), $"sd3-a-{Guid.NewGuid():N}");
        var resumed = Path.Combine(Path.GetTempPath(), $"sd3-b-{Guid.NewGuid():N}");
        var live = Finalizers.LiveTensors();

        // When
        new RlTrainer(config, straight, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(config with { NumEpochs = 1 }, resumed, TextWriter.Null).Run(false, CancellationToken.None);
        new RlTrainer(config, resumed, TextWriter.Null).Run(true, CancellationToken.None);

        // Then: the resumed run ends with the same bytes, every saved tensor is an adapter, nothing leaks
        var last = Path.Combine(straight, "checkpoint_000002");
        CheckpointAssert.SameFiles(last, Path.Combine(resumed, "checkpoint_000002"), "trainable.safetensors", "ema.safetensors", "optimizer.safetensors", Sd3PolicyFolder.WeightsFile);
        foreach (var file in new[] { "trainable.safetensors", "ema.safetensors", Sd3PolicyFolder.WeightsFile })
        {
            var (tensors, _) = TensorFile.Load(Path.Combine(last, file));
            Assert.NotEmpty(tensors);
            Assert.All(tensors.Keys, k => Assert.True(Lora.IsAdapterParameter(k), $"{file} holds '{k}', not an adapter"));
            TensorFile.DisposeAll(tensors);
        }
        Assert.False(File.Exists(Path.Combine(last, ModelCheckpoint.WeightsFile)), "no whole-model copy is written for a pipeline");
        Assert.Equal(live, Finalizers.LiveTensors());
        Directory.Delete(straight, true);
        Directory.Delete(resumed, true);
    }

    [Fact]
    public void Should_ShareTheFrozenBaseWithTheEmaCopy_When_TrainingWithLora()
    {
        // Given: the policy models of a LoRA run with EMA
        var config = TinySd3();
        using var models = new PolicyModels(config.Pretrained.Model, config.Seed, config.Train, new FlowGrpoOptions().Needs, config.Pretrained.Pipeline);
        var policy = models.Policy.Weights.StateDict().ToDictionary(p => p.Key, p => p.Value);
        var ema = models.EmaModel!.Weights.StateDict().ToDictionary(p => p.Key, p => p.Value);
        const string Base = "transformer_blocks.0.attn.to_q.weight";
        const string Adapter = "transformer_blocks.0.attn.to_q.lora.B";

        // When: a frozen base weight and an adapter of the policy are changed in place
        using (Autograd.NoGrad())
        {
            policy[Base].Fill_(0.25);
            policy[Adapter].Fill_(0.5);
        }

        // Then: the EMA copy sees the base change (one tensor in memory), but keeps its own adapters
        Assert.All(ema[Base].ToArray<float>(), v => Assert.Equal(0.25f, v));
        Assert.DoesNotContain(0.5f, ema[Adapter].ToArray<float>());
    }

    [Fact]
    public void Should_TrainFloat32AdaptersOnABf16Base_When_MixedPrecisionIsBf16()
    {
        // Given: one epoch of the tiny LoRA run with bf16 weights and autocast
        var tiny = TinySd3();
        var config = tiny with
        {
            NumEpochs = 1,
            Pretrained = tiny.Pretrained with { Pipeline = tiny.Pretrained.Pipeline with { MixedPrecision = MixedPrecision.Bf16 } },
            Train = tiny.Train with { Ema = false },
        };
        var dir = Path.Combine(Path.GetTempPath(), $"sd3-bf16-{Guid.NewGuid():N}");

        // When
        new RlTrainer(config, dir, TextWriter.Null).Run(false, CancellationToken.None);
        var (adapters, _) = TensorFile.Load(Path.Combine(dir, "final", Sd3PolicyFolder.WeightsFile));
        var types = adapters.Values.Select(t => t.DType).Distinct().ToList();
        var trained = adapters.Where(p => p.Key.EndsWith(".lora.B", StringComparison.Ordinal)).Any(p => p.Value.Abs().Max().Item() > 0);
        TensorFile.DisposeAll(adapters);
        using var loaded = (Sd3Pipeline)PolicyNetworks.Load(Path.Combine(dir, "final"));
        var baseType = loaded.Transformer.StateDict().First(p => p.Key.EndsWith("attn.to_q.weight", StringComparison.Ordinal)).Value.DType;
        Directory.Delete(dir, true);

        // Then: the adapters train (B leaves its zero init) and are saved in float32; the exported policy reloads in bf16
        Assert.Equal([DType.Float32], types);
        Assert.True(trained, "no adapter B moved from zero");
        Assert.Equal(DType.BFloat16, baseType);
        Assert.Equal(MixedPrecision.Bf16, loaded.Precision);
    }

    [Fact]
    public void Should_KeepFloat32MasterWeights_When_FullyFineTuningUnderBf16()
    {
        // Given
        var tiny = TinySd3();
        var pipeline = tiny.Pretrained.Pipeline with { MixedPrecision = MixedPrecision.Bf16 };

        // When
        using var models = new PolicyModels(tiny.Pretrained.Model, tiny.Seed, tiny.Train with { UseLora = false }, new FlowGrpoOptions().Needs, pipeline);
        var trainedTypes = models.Trainable.Select(p => p.Value.DType).Distinct().ToList();
        var vaeType = ((Sd3Pipeline)models.Policy).Vae!.StateDict().First(p => p.Value.DType.IsFloatingPoint()).Value.DType;

        // Then: the trained transformer is float32, the frozen VAE stays bf16
        Assert.Equal([DType.Float32], trainedTypes);
        Assert.Equal(DType.BFloat16, vaeType);
    }

    [Fact]
    public void Should_LoadTheTrainedAdapters_When_TheFinalPolicyFolderIsLoaded()
    {
        // Given: a 1-epoch run (no EMA, so the export is the trained policy) and its base pipeline
        var config = TinySd3() with { NumEpochs = 1, Train = TinySd3().Train with { Ema = false } };
        var dir = Path.Combine(Path.GetTempPath(), $"sd3-final-{Guid.NewGuid():N}");
        new RlTrainer(config, dir, TextWriter.Null).Run(false, CancellationToken.None);
        using var trained = PolicyNetworks.Load(Path.Combine(dir, "final"));
        using var basePipeline = PolicyNetworks.Load(config.Pretrained.Model, config.Pretrained.Pipeline);
        var (saved, _) = TensorFile.Load(Path.Combine(dir, "checkpoint_000001", "trainable.safetensors"));

        // When
        var loaded = trained.Weights.StateDict().Where(p => Lora.IsAdapterParameter(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        using var generator = new Generator(3);
        using var x = Tensor.Randn([2, .. trained.SampleShape], generator);        // [2, C, h, w]
        using var t = Tensor.FromArray(new[] { 0.7f, 0.3f }, 2);
        using var text = trained.EncodeText(["a red circle", "two blue squares"]);
        using var vTrained = trained.Velocity(x, t, text);
        using var vBase = basePipeline.Velocity(x, t, text);

        // Then: the folder holds the trained adapters exactly, and they change the velocity
        Assert.Equal(saved.Keys.Order(), loaded.Keys.Order());
        Assert.All(saved, p => Assert.True(p.Value.ToFloatArray().SequenceEqual(loaded[p.Key].ToFloatArray()), $"'{p.Key}' differs"));
        Assert.True(Sd3Fixtures.RelativeL2(vTrained, vBase) > 1e-6, "trained adapters must change the velocity");
        TensorFile.DisposeAll(saved);
        Directory.Delete(dir, true);
    }
}
