using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Models.Sd3;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>The flow-matching schedule and one denoising step of the SD3 pipeline against diffusers' own code.</summary>
public class Sd3SamplingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(28)]
    [InlineData(40)]
    public void Should_GiveDiffusersSigmas_When_Sd35SchedulerSetsSteps(int steps)
    {
        // Given
        var config = FlowMatchScheduleConfig.Load(Path.Combine(Sd3Fixtures.Folder("scheduler-sd35"), "scheduler_config.json"));
        var (reference, _) = TensorFile.Load(Path.Combine(Sd3Fixtures.Folder("scheduler-sd35"), "sigmas.safetensors"));

        // When
        var sigmas = FlowMatchSchedule.Sigmas(config, steps);

        // Then
        var expected = reference[$"sigmas_n{steps}"].ToArray<float>();
        TensorFile.DisposeAll(reference);
        Assert.Equal(3.0, config.Shift);
        AssertClose(expected, sigmas);
    }

    [Theory]
    [InlineData(10, 1024)]
    [InlineData(28, 1024)]
    [InlineData(10, 4096)]
    [InlineData(28, 4096)]
    public void Should_GiveDiffusersSigmas_When_ShiftDependsOnResolution(int steps, int tokens)
    {
        // Given
        var config = FlowMatchScheduleConfig.Load(Path.Combine(Sd3Fixtures.Folder("scheduler-dynamic"), "scheduler_config.json"));
        var (reference, _) = TensorFile.Load(Path.Combine(Sd3Fixtures.Folder("scheduler-dynamic"), "sigmas.safetensors"));

        // When
        var mu = FlowMatchSchedule.Mu(config, tokens);
        var sigmas = FlowMatchSchedule.Sigmas(config, steps, tokens);

        // Then
        var expectedMu = reference[$"mu_{tokens}"].Item();
        var expected = reference[$"sigmas_n{steps}_L{tokens}"].ToArray<float>();
        TensorFile.DisposeAll(reference);
        Assert.True(config.UseDynamicShifting);
        Assert.Equal(expectedMu, mu, 12);
        AssertClose(expected, sigmas);
    }

    [Theory]
    [InlineData(4.5)]
    [InlineData(1.0)]
    public void Should_MatchDiffusersDenoisingStep_When_PipelineStepsWithGuidance(double guidance)
    {
        // Given: the transformer-sd35 fixture with fixed prompt embeddings, at the pipeline's step 3 of 10
        var parity = Sd3Fixtures.Parity("pipeline-step");
        var scheduler = FlowMatchScheduleConfig.Load(Path.Combine(Sd3Fixtures.Folder("scheduler-sd35"), "scheduler_config.json"));
        var latents = parity["latents"];
        using var pipeline = new Sd3Pipeline(Sd3Transformer.FromPretrained(Sd3Fixtures.Folder("transformer-sd35")), null,
            new FixedPrompts(parity), scheduler, height: 8 * (int)latents.Size(2), width: 8 * (int)latents.Size(3));
        var index = (int)parity["step_index"].Item();
        Assert.Equal(guidance == 1.0 ? 1.0 : parity["guidance_scale"].Item(), guidance);

        // When
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grid = ((IVelocityModel)pipeline).TimeGrid((int)parity["num_inference_steps"].Item(), shift: 1.0);
        using var velocity = new GuidedVelocity(pipeline, ["p0", "p1"], guidance);
        var noisePred = velocity.At(latents, grid[index]);
        var previous = latents + noisePred * (grid[index + 1] - grid[index]);

        // Then
        var prefix = guidance == 1.0 ? "cfg1_" : "";
        var errors = new[] { Sd3Fixtures.RelativeL2(noisePred, parity[prefix + "noise_pred"]), Sd3Fixtures.RelativeL2(previous, parity[prefix + "prev_latents"]) };
        var sigma = parity["sigma"].Item();
        var sigmaNext = parity["sigma_next"].Item();
        TensorFile.DisposeAll(parity);
        Assert.Equal(sigma, grid[index], 7);
        Assert.Equal(sigmaNext, grid[index + 1], 7);
        Assert.All(errors, e => Assert.True(e <= 1e-5, $"relative L2 {e:E2} > 1e-5"));
    }

    private static void AssertClose(float[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-7 * Math.Max(1, Math.Abs(expected[k])), $"σ[{k}]: expected {expected[k]:R}, got {actual[k]:R}");
        }
    }

    /// <summary>The fixture's prompt embeddings: "" is the negative prompt, anything else the positive one (rows in order).</summary>
    private sealed class FixedPrompts(Dictionary<string, Tensor> parity) : IPromptEncoder
    {
        public TextBatch Encode(IReadOnlyList<string> prompts)
        {
            var negative = prompts.All(p => p.Length == 0);
            var tokens = parity[negative ? "negative_prompt_embeds" : "prompt_embeds"];
            var pooled = parity[negative ? "negative_pooled_prompt_embeds" : "pooled_prompt_embeds"];
            return new TextBatch(tokens.Clone(), Tensor.Zeros([tokens.Size(0), tokens.Size(1)], DType.Bool), pooled.Clone());
        }

        public void Dispose()
        {
        }
    }
}
