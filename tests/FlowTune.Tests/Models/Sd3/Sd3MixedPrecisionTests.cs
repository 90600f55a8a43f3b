using FlowTune.IO;
using FlowTune.Models.Sd3;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>The tiny pipeline in bfloat16 with autocast (CPU autocast has bfloat16 only; fp16 is for CUDA).</summary>
[Collection("Serial")]
public sealed class Sd3MixedPrecisionTests
{
    private static readonly string[] Prompts = ["a red cube left of a blue sphere", "three  green   cones!"];

    private static Sd3Pipeline Load(MixedPrecision precision) => Sd3PipelineLoader.Load(
        Sd3Fixtures.Folder("pipeline-tiny"), new Sd3PipelineOptions { MaxSequenceLength = 12, PromptCacheSize = 0, MixedPrecision = precision });

    [Fact]
    public void Should_StoreWeightsInBf16AndReturnFloat32NearTheReference_When_MixedPrecisionIsBf16()
    {
        // Given: diffusers' 3-step guided generation from its stored latents
        using var pipeline = Load(MixedPrecision.Bf16);
        var reference = TensorFile.Load(Path.Combine(Sd3Fixtures.Folder("pipeline-tiny"), "reference.safetensors")).Tensors;
        var options = new OdeSamplerOptions { Steps = (int)reference["num_inference_steps"].Item(), GuidanceScale = reference["guidance_scale"].Item() };
        using var generator = new Generator(0);
        var live = Finalizers.LiveTensors();

        // When
        double latentError, imageError, embedError;
        DType latentType, imageType, embedType;
        using (var text = pipeline.EncodeText(Prompts))
        using (var latents = OdeSampler.SampleModelSpace(pipeline, Prompts, options, generator, initial: reference["latents"]))
        using (var images = pipeline.ToPixels(latents))
        {
            (latentType, imageType, embedType) = (latents.DType, images.DType, text.Tokens.DType);
            latentError = Sd3Fixtures.RelativeL2(latents, reference["final_latents"]);
            imageError = Sd3Fixtures.RelativeL2(images, reference["images"]);
            embedError = Sd3Fixtures.RelativeL2(text.Tokens, reference["prompt_embeds"]);
        }
        var leaked = Finalizers.LiveTensors() - live;
        var weightTypes = new[]
        {
            pipeline.Transformer.StateDict().First(p => p.Value.DType.IsFloatingPoint()).Value.DType,
            pipeline.Vae!.StateDict().First(p => p.Value.DType.IsFloatingPoint()).Value.DType,
        };
        TensorFile.DisposeAll(reference);

        // Then: 16-bit weights, float32 outputs, bf16-sized errors (bf16 keeps about 3 significant digits), not
        // float32's. The fixture's VAE has large random weights that amplify rounding: measured 0.9 % for the
        // embeddings, 1.9 % for the latents, 8.3 % for the images (the VAE alone in bf16 without autocast: 18 %).
        Assert.All(weightTypes, t => Assert.Equal(DType.BFloat16, t));
        Assert.Equal((DType.Float32, DType.Float32, DType.Float32), (latentType, imageType, embedType));
        Assert.All(new[] { latentError, embedError }, e => Assert.InRange(e, 1e-5, 3e-2));
        Assert.InRange(imageError, 1e-5, 0.15);
        Assert.Equal(0, leaked);
    }
}
