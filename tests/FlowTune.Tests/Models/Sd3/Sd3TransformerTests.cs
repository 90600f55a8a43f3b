using FlowTune.IO;
using FlowTune.Models.Sd3;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>SD3Transformer2DModel against diffusers' own outputs, and the loader's errors.</summary>
public class Sd3TransformerTests
{
    [Theory]
    [InlineData("transformer-sd3")]
    [InlineData("transformer-sd35")]
    [InlineData("transformer-sharded")]
    [InlineData("transformer-bf16")]
    public void Should_MatchDiffusers_When_TinyPipelineTransformerRuns(string fixture)
    {
        // Given
        using var net = Sd3Transformer.FromPretrained(Sd3Fixtures.Folder(fixture));
        var parity = Sd3Fixtures.Parity(fixture);

        // When
        using var noGrad = Autograd.NoGrad();
        using var sample = net.Forward(parity["hidden_states"], parity["encoder_hidden_states"], parity["pooled_projections"], parity["timestep"]);

        // Then
        var error = Sd3Fixtures.RelativeL2(sample, parity["sample"]);
        TensorFile.DisposeAll(parity);
        Assert.True(error <= 1e-5, $"{fixture}: relative L2 {error:E2} > 1e-5");
    }

    [Fact]
    public void Should_UseDiffusersKeyNames_When_Sd35TransformerIsBuilt()
    {
        // Given / When
        using var net = Sd3Transformer.FromPretrained(Sd3Fixtures.Folder("transformer-sd35"));
        var keys = net.StateDict().Select(p => p.Key).ToHashSet();

        // Then
        Assert.Contains("pos_embed.pos_embed", keys);
        Assert.Contains("time_text_embed.timestep_embedder.linear_1.weight", keys);
        Assert.Contains("transformer_blocks.0.attn2.norm_q.weight", keys);
        Assert.Contains("transformer_blocks.0.attn.to_out.0.weight", keys);
        Assert.Contains("transformer_blocks.0.ff.net.0.proj.weight", keys);
        Assert.Contains("transformer_blocks.0.ff_context.net.2.bias", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith($"transformer_blocks.{net.Config.NumLayers - 1}.attn.to_add_out", StringComparison.Ordinal));
        Assert.DoesNotContain(keys, k => k.StartsWith($"transformer_blocks.{net.Config.NumLayers - 1}.ff_context", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_NameFileKeyAndShapes_When_AWeightIsMisShaped()
    {
        // Given: the to_q weight of block 1 stored with one output row too many
        var dir = Sd3Fixtures.CopyToTemp("transformer-sd3");
        var file = Path.Combine(dir, "diffusion_pytorch_model.safetensors");
        var (tensors, _) = TensorFile.Load(file);
        var key = "transformer_blocks.1.attn.to_q.weight";
        var original = tensors[key];
        var shape = original.Shape;
        tensors[key] = Tensor.Zeros([shape[0] + 1, shape[1]]);
        original.Dispose();
        TensorFile.Save(file, tensors);
        TensorFile.DisposeAll(tensors);

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}': expected shape [{shape[0]}, {shape[1]}], found [{shape[0] + 1}, {shape[1]}]", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_ListEveryProblem_When_KeysAreMissingAndUnexpected()
    {
        // Given: one key renamed (so one missing and one unexpected)
        var dir = Sd3Fixtures.CopyToTemp("transformer-sd3");
        var file = Path.Combine(dir, "diffusion_pytorch_model.safetensors");
        var (tensors, _) = TensorFile.Load(file);
        var renamed = tensors.ToDictionary(p => p.Key == "proj_out.bias" ? "proj_out.bias_typo" : p.Key, p => p.Value);
        TensorFile.Save(file, renamed);
        TensorFile.DisposeAll(tensors);

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains("missing key 'proj_out.bias'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{file}: unexpected key 'proj_out.bias_typo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 problems", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_NameTheShard_When_AShardIsTruncated()
    {
        // Given: the second shard cut short by 100 bytes
        var dir = Sd3Fixtures.CopyToTemp("transformer-sharded");
        var shard = Directory.GetFiles(dir, "*-00002-of-00002.safetensors").Single();
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..^100]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains(shard, error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_NameTheMissingShard_When_TheIndexListsAFileThatIsNotThere()
    {
        // Given
        var dir = Sd3Fixtures.CopyToTemp("transformer-sharded");
        var shard = Directory.GetFiles(dir, "*-00001-of-00002.safetensors").Single();
        File.Delete(shard);

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains($"shard {Path.GetFileName(shard)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_ReportEveryUnsupportedField_When_TheConfigAsksForWhatFlowTuneLacks()
    {
        // Given: a layer-norm qk_norm, an unknown field and an inconsistent caption width, all at once
        var dir = Sd3Fixtures.CopyToTemp("transformer-sd3");
        var path = Path.Combine(dir, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["qk_norm"] = "layer_norm";
        json["use_flash_magic"] = true;
        json["caption_projection_dim"] = 7;
        File.WriteAllText(path, json.ToJsonString());

        // When
        var error = Assert.Throws<InvalidDataException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("qk_norm: \"layer_norm\": expected one of null, \"rms_norm\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("use_flash_magic: true: a field FlowTune's SD3 transformer does not support", error.Message, StringComparison.Ordinal);
        Assert.Contains("caption_projection_dim: 7:", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_RejectPickledWeights_When_OnlyABinFileIsThere()
    {
        // Given
        var dir = Sd3Fixtures.CopyToTemp("transformer-sd3");
        File.Move(Path.Combine(dir, "diffusion_pytorch_model.safetensors"), Path.Combine(dir, "diffusion_pytorch_model.bin"));

        // When
        var error = Assert.Throws<FileNotFoundException>(() => Sd3Transformer.FromPretrained(dir));

        // Then
        Assert.Contains("pickled PyTorch weights are not supported", error.Message, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_RejectLatent_When_ItIsLargerThanThePositionBuffer()
    {
        // Given
        using var net = Sd3Transformer.FromPretrained(Sd3Fixtures.Folder("transformer-sd3"));
        var side = (net.Config.PosEmbedMaxSize + 1) * net.Config.PatchSize;
        using var latent = Tensor.Zeros([1, net.Config.InChannels, side, side]);
        using var text = Tensor.Zeros([1, 3, net.Config.JointAttentionDim]);
        using var pooled = Tensor.Zeros([1, net.Config.PooledProjectionDim]);
        using var t = Tensor.Full([1], 500.0);

        // When
        var error = Assert.Throws<ArgumentException>(() => net.Forward(latent, text, pooled, t));

        // Then
        Assert.Contains($"latent {side}×{side}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pos_embed_max_size {net.Config.PosEmbedMaxSize}", error.Message, StringComparison.Ordinal);
    }
}
