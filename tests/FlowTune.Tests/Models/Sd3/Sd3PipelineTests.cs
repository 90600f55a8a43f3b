using FlowTune.IO;
using FlowTune.Models.Sd3;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>The tiny complete pipeline (Data/sd3/pipeline-tiny) against diffusers' StableDiffusion3Pipeline.</summary>
public class Sd3PipelineTests
{
    private static readonly string[] Prompts = ["a red cube left of a blue sphere", "three  green   cones!"];

    private static Sd3Pipeline Load() => Sd3PipelineLoader.Load(Sd3Fixtures.Folder("pipeline-tiny"), new Sd3PipelineOptions { MaxSequenceLength = 12, PromptCacheSize = 0 });

    private static Dictionary<string, Tensor> Reference() => TensorFile.Load(Path.Combine(Sd3Fixtures.Folder("pipeline-tiny"), "reference.safetensors")).Tensors;

    [Fact]
    public void Should_TokenizeAsThePipeline_When_PromptsAreEncoded()
    {
        // Given
        using var pipeline = Load();
        var reference = Reference();
        var encoder = (Sd3PromptEncoder)pipeline.PromptEncoder;

        // When
        var (l, g, t5) = encoder.Tokenize(Prompts);

        // Then
        var same = new[] { (l, "ids_clip_l"), (g, "ids_clip_g"), (t5!, "ids_t5") }
            .Select(p => (p.Item2, Equal: p.Item1.ToArray<long>().SequenceEqual(reference[p.Item2].ToArray<long>()))).ToList();
        l.Dispose();
        g.Dispose();
        t5?.Dispose();
        TensorFile.DisposeAll(reference);
        Assert.All(same, s => Assert.True(s.Equal, $"{s.Item1} differs"));
    }

    [Fact]
    public void Should_MatchEncodePrompt_When_PositiveAndNegativePromptsAreEncoded()
    {
        // Given
        using var pipeline = Load();
        var reference = Reference();

        // When
        using var positive = pipeline.EncodeText(Prompts);
        using var negative = pipeline.EncodeText(["", ""]);

        // Then
        var errors = new Dictionary<string, double>
        {
            ["prompt_embeds"] = Sd3Fixtures.RelativeL2(positive.Tokens, reference["prompt_embeds"]),
            ["pooled_prompt_embeds"] = Sd3Fixtures.RelativeL2(positive.Pooled, reference["pooled_prompt_embeds"]),
            ["negative_prompt_embeds"] = Sd3Fixtures.RelativeL2(negative.Tokens, reference["negative_prompt_embeds"]),
            ["negative_pooled_prompt_embeds"] = Sd3Fixtures.RelativeL2(negative.Pooled, reference["negative_pooled_prompt_embeds"]),
        };
        var anyMasked = positive.PaddingMask.Any().Item() != 0;
        TensorFile.DisposeAll(reference);
        Assert.False(anyMasked);
        Assert.All(errors, e => Assert.True(e.Value <= 1e-5, $"{e.Key}: relative L2 {e.Value:E2} > 1e-5"));
    }

    [Fact]
    public void Should_MatchDiffusersGeneration_When_ThreeGuidedStepsRunFromFixedLatents()
    {
        // Given: the pipeline's call (3 steps, guidance 4.5, 32×32 pixels, its stored initial latents)
        using var pipeline = Load();
        var reference = Reference();
        var options = new OdeSamplerOptions { Steps = (int)reference["num_inference_steps"].Item(), GuidanceScale = reference["guidance_scale"].Item() };
        using var generator = new Generator(0);

        // When
        using var latents = OdeSampler.SampleModelSpace(pipeline, Prompts, options, generator, initial: reference["latents"]);
        using var images = pipeline.ToPixels(latents);

        // Then
        var latentError = Sd3Fixtures.RelativeL2(latents, reference["final_latents"]);
        var imageError = Sd3Fixtures.RelativeL2(images, reference["images"]);
        var grid = pipeline.TimeGrid(options.Steps, 1.0);
        var sigmas = reference["sigmas"].ToArray<float>();
        TensorFile.DisposeAll(reference);
        Assert.Equal(sigmas.Length, grid.Length);
        Assert.All(sigmas.Zip(grid), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-7, $"σ {p.Second:R} vs diffusers' {p.First:R}"));
        Assert.True(latentError <= 1e-5, $"final latents: relative L2 {latentError:E2} > 1e-5");
        Assert.True(imageError <= 1e-5, $"images: relative L2 {imageError:E2} > 1e-5");
    }

    [Fact]
    public void Should_NameTheComponent_When_ModelIndexListsAnUnsupportedClass()
    {
        // Given: a pipeline folder whose index names another scheduler and leaves the VAE out
        var dir = Path.Combine(Path.GetTempPath(), $"flowtune-index-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Sd3Fixtures.Folder("pipeline-tiny"), "model_index.json")))!.AsObject();
        index["scheduler"] = new System.Text.Json.Nodes.JsonArray("diffusers", "DPMSolverMultistepScheduler");
        index.Remove("vae");
        File.WriteAllText(Path.Combine(dir, "model_index.json"), index.ToJsonString());

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3PipelineLoader.ReadIndex(dir));

        // Then
        Directory.Delete(dir, recursive: true);
        Assert.Contains("scheduler: [\"diffusers\",\"DPMSolverMultistepScheduler\"]: expected class \"FlowMatchEulerDiscreteScheduler\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("vae: (absent): expected [library, \"AutoencoderKL\"]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_LeaveT5Out_When_AskedTo()
    {
        // Given
        using var pipeline = Sd3PipelineLoader.Load(Sd3Fixtures.Folder("pipeline-tiny"), new Sd3PipelineOptions { MaxSequenceLength = 12, LoadT5 = false });

        // When
        using var text = pipeline.EncodeText(Prompts);
        using var t5Part = text.Tokens.Narrow(1, text.Tokens.Size(1) - 12, 12);

        // Then: the T5 rows are exactly zero, as diffusers' pipeline without text_encoder_3
        Assert.Equal(0.0, t5Part.Abs().Sum().Item());
        Assert.Equal(16 + 12, text.Tokens.Size(1));
    }
}
