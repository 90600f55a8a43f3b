using FlowTune.IO;
using FlowTune.Models.Sd3.Vae;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>AutoencoderKL against diffusers' own outputs.</summary>
public class AutoencoderKlTests
{
    [Theory]
    [InlineData("vae-sd35")]
    [InlineData("vae-quant")]
    public void Should_MatchDiffusers_When_TinyVaeDecodes(string fixture)
    {
        // Given
        using var vae = AutoencoderKl.FromPretrained(Sd3Fixtures.Folder(fixture));
        var parity = Sd3Fixtures.Parity(fixture);

        // When
        using var noGrad = Autograd.NoGrad();
        using var decoded = vae.Decode(parity["z"]);

        // Then
        var error = Sd3Fixtures.RelativeL2(decoded, parity["decoded"]);
        TensorFile.DisposeAll(parity);
        Assert.True(error <= 1e-5, $"{fixture}: decode relative L2 {error:E2} > 1e-5");
    }

    [Theory]
    [InlineData("vae-sd35")]
    [InlineData("vae-quant")]
    public void Should_MatchDiffusers_When_TinyVaeEncodes(string fixture)
    {
        // Given
        using var vae = AutoencoderKl.FromPretrained(Sd3Fixtures.Folder(fixture));
        var parity = Sd3Fixtures.Parity(fixture);

        // When
        using var noGrad = Autograd.NoGrad();
        var (mean, logVar) = vae.Encode(parity["x"]);

        // Then
        var meanError = Sd3Fixtures.RelativeL2(mean, parity["encoded_mean"]);
        var logVarError = Sd3Fixtures.RelativeL2(logVar, parity["encoded_logvar"]);
        mean.Dispose();
        logVar.Dispose();
        TensorFile.DisposeAll(parity);
        Assert.True(meanError <= 1e-5, $"{fixture}: mean relative L2 {meanError:E2} > 1e-5");
        Assert.True(logVarError <= 1e-5, $"{fixture}: log-variance relative L2 {logVarError:E2} > 1e-5");
    }

    [Fact]
    public void Should_InvertThePipelineScaling_When_LatentIsMappedBothWays()
    {
        // Given: SD3's scaling 1.5305 and shift 0.0609 from the fixture's config
        using var vae = AutoencoderKl.FromPretrained(Sd3Fixtures.Folder("vae-sd35"));
        using var mean = Tensor.FromArray([0f, 1f, -2f], 3);

        // When
        using var latent = vae.ToLatent(mean);
        using var back = vae.FromLatent(latent);

        // Then: (m − 0.0609)·1.5305 and back
        Assert.Equal(1.5305, vae.Config.ScalingFactor);
        Assert.Equal(0.0609, vae.Config.ShiftFactor);
        Assert.Equal((1 - 0.0609) * 1.5305, latent.ToArray<float>()[1], 5);
        Assert.True(Sd3Fixtures.RelativeL2(back, mean) < 1e-6);
    }

    [Fact]
    public void Should_ReportBlockTypesAndLatentStats_When_TheConfigIsUnsupported()
    {
        // Given
        var dir = Sd3Fixtures.CopyToTemp("vae-sd35");
        var path = Path.Combine(dir, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["down_block_types"] = new System.Text.Json.Nodes.JsonArray("DownEncoderBlock2D", "AttnDownEncoderBlock2D", "DownEncoderBlock2D");
        json["latents_mean"] = new System.Text.Json.Nodes.JsonArray(0.1, 0.2, 0.3, 0.4);
        File.WriteAllText(path, json.ToJsonString());

        // When
        var error = Assert.Throws<InvalidDataException>(() => AutoencoderKl.FromPretrained(dir));

        // Then
        Assert.Contains("down_block_types: [\"DownEncoderBlock2D\",\"AttnDownEncoderBlock2D\",\"DownEncoderBlock2D\"]: expected 3 × \"DownEncoderBlock2D\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("latents_mean: [0.1,0.2,0.3,0.4]: expected null", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }
}
