using FlowTune.Cli;
using FlowTune.IO;
using FlowTune.Tests.Models.Sd3;

namespace FlowTune.Tests.Cli;

/// <summary><c>flowtune interop …</c> on the tiny diffusers fixtures, run through the command line.</summary>
public sealed class InteropCommandTests
{
    [Fact]
    public async Task Should_WriteDiffusersSample_When_TransformerRunsFromAPipelineFolder()
    {
        // Given: a pipeline folder holding the fixture as its transformer/
        var pipeline = Path.Combine(Path.GetTempPath(), $"flowtune-pipeline-{Guid.NewGuid():N}");
        var component = Sd3Fixtures.CopyToTemp("transformer-sd35");
        Directory.CreateDirectory(pipeline);
        Directory.Move(component, Path.Combine(pipeline, "transformer"));
        var input = Path.Combine(pipeline, "transformer", "parity.safetensors");
        var output = Path.Combine(pipeline, "out.safetensors");

        // When
        var code = await CliApp.RunAsync(["interop", "transformer", "--model", pipeline, "--input", input, "--output", output]);

        // Then
        Assert.Equal(CliApp.Ok, code);
        var written = TensorFile.Load(output).Tensors;
        var parity = Sd3Fixtures.Parity("transformer-sd35");
        var error = Sd3Fixtures.RelativeL2(written["sample"], parity["sample"]);
        TensorFile.DisposeAll(written);
        TensorFile.DisposeAll(parity);
        Directory.Delete(pipeline, recursive: true);
        Assert.True(error <= 1e-5, $"relative L2 {error:E2}");
    }

    [Fact]
    public async Task Should_WriteDecodedAndEncodedMean_When_VaeGetsBothInputs()
    {
        // Given
        var folder = Sd3Fixtures.Folder("vae-quant");
        var output = Path.Combine(Path.GetTempPath(), $"flowtune-vae-{Guid.NewGuid():N}.safetensors");

        // When
        var code = await CliApp.RunAsync(["interop", "vae", "--model", folder, "--input", Path.Combine(folder, "parity.safetensors"), "--output", output]);

        // Then
        Assert.Equal(CliApp.Ok, code);
        var written = TensorFile.Load(output).Tensors;
        var parity = Sd3Fixtures.Parity("vae-quant");
        var decodeError = Sd3Fixtures.RelativeL2(written["decoded"], parity["decoded"]);
        var encodeError = Sd3Fixtures.RelativeL2(written["encoded_mean"], parity["encoded_mean"]);
        TensorFile.DisposeAll(written);
        TensorFile.DisposeAll(parity);
        File.Delete(output);
        Assert.True(decodeError <= 1e-5, $"decode relative L2 {decodeError:E2}");
        Assert.True(encodeError <= 1e-5, $"encode relative L2 {encodeError:E2}");
    }

    [Fact]
    public async Task Should_ExitNonZeroNamingTheFile_When_TheModelFolderHasNoWeights()
    {
        // Given
        var dir = Sd3Fixtures.CopyToTemp("transformer-sd3");
        File.Delete(Path.Combine(dir, "diffusion_pytorch_model.safetensors"));
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);

        // When
        int code;
        try
        {
            code = await CliApp.RunAsync(["interop", "transformer", "--model", dir, "--input", Path.Combine(dir, "parity.safetensors"), "--output", Path.Combine(dir, "out.safetensors")]);
        }
        finally
        {
            Console.SetError(previous);
        }

        // Then
        Directory.Delete(dir, recursive: true);
        Assert.NotEqual(CliApp.Ok, code);
        Assert.Contains("expected diffusion_pytorch_model.safetensors or diffusion_pytorch_model.safetensors.index.json", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_WriteAPngGrid_When_SampleRunsOnAPipelineFolder()
    {
        // Given
        var output = Path.Combine(Path.GetTempPath(), $"flowtune-sd3-sample-{Guid.NewGuid():N}.png");

        // When
        var code = await CliApp.RunAsync(["sample", "--model", Sd3Fixtures.Folder("pipeline-tiny"), "--prompt", "a red cube", "--n", "2", "--steps", "3", "--cfg", "4.5", "--out", output]);

        // Then: a 2-image grid of the pipeline's 32×32 images
        Assert.Equal(CliApp.Ok, code);
        var images = FlowTune.IO.PngReader.ReadFile(output);
        File.Delete(output);
        Assert.True(images.Width >= 2 * 32 && images.Height >= 32, $"grid {images.Width}×{images.Height}");
    }

    [Fact]
    public async Task Should_RefuseBothModelKinds_When_CheckpointAndPipelineAreGiven()
    {
        // When
        var code = await CliApp.RunAsync(["sample", "--model", Sd3Fixtures.Folder("pipeline-tiny"), "--checkpoint", "models/shapes-base", "--prompt", "a", "--out", Path.Combine(Path.GetTempPath(), "never.png")]);

        // Then
        Assert.Equal(CliApp.UsageError, code);
    }

    [Fact]
    public async Task Should_WriteIdsAndEmbeddingsAsEncodePrompt_When_TextRunsOnAPipeline()
    {
        // Given: the tiny pipeline's reference prompts, one per line
        var prompts = Path.Combine(Path.GetTempPath(), $"flowtune-prompts-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(prompts, ["a red cube left of a blue sphere", "three  green   cones!"]);
        var output = prompts + ".safetensors";
        var folder = Sd3Fixtures.Folder("pipeline-tiny");

        // When
        var code = await CliApp.RunAsync(["interop", "text", "--model", folder, "--prompts", prompts, "--output", output, "--max-sequence-length", "12"]);

        // Then
        Assert.Equal(CliApp.Ok, code);
        var written = TensorFile.Load(output).Tensors;
        var reference = TensorFile.Load(Path.Combine(folder, "reference.safetensors")).Tensors;
        var sameIds = new[] { "ids_clip_l", "ids_clip_g", "ids_t5" }.All(k => written[k].ToArray<long>().SequenceEqual(reference[k].ToArray<long>()));
        var error = Sd3Fixtures.RelativeL2(written["prompt_embeds"], reference["prompt_embeds"]);
        var pooledError = Sd3Fixtures.RelativeL2(written["pooled_prompt_embeds"], reference["pooled_prompt_embeds"]);
        TensorFile.DisposeAll(written);
        TensorFile.DisposeAll(reference);
        File.Delete(prompts);
        File.Delete(output);
        Assert.True(sameIds);
        Assert.True(error <= 1e-5 && pooledError <= 1e-5, $"prompt_embeds {error:E2}, pooled {pooledError:E2}");
    }
}
