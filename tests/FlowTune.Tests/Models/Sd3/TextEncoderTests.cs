using FlowTune.IO;
using FlowTune.Models.Sd3.Text;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>CLIP and T5 text encoders against transformers' own outputs (tools/sd3-text/make_text_vectors.py).</summary>
public class TextEncoderTests
{
    [Theory]
    [InlineData("sd3-text/text_encoder")]
    [InlineData("sd3-text/text_encoder_2")]
    public void Should_MatchTransformers_When_TinyClipEncodes(string fixture)
    {
        // Given
        using var clip = ClipTextModel.FromPretrained(Sd3Fixtures.Folder(fixture));
        var parity = Sd3Fixtures.Parity(fixture);

        // When
        using var noGrad = Autograd.NoGrad();
        using var output = clip.Forward(parity["input_ids"]);

        // Then
        var errors = new Dictionary<string, double>
        {
            ["last_hidden_state"] = Sd3Fixtures.RelativeL2(output.LastHiddenState, parity["last_hidden_state"]),
            ["hidden_states_penultimate"] = Sd3Fixtures.RelativeL2(output.Penultimate, parity["hidden_states_penultimate"]),
            ["text_embeds"] = Sd3Fixtures.RelativeL2(output.TextEmbeds, parity["text_embeds"]),
        };
        TensorFile.DisposeAll(parity);
        Assert.All(errors, e => Assert.True(e.Value <= 1e-5, $"{fixture} {e.Key}: relative L2 {e.Value:E2} > 1e-5"));
    }

    [Fact]
    public void Should_MatchTransformers_When_TinyT5Encodes()
    {
        // Given
        using var t5 = T5Encoder.FromPretrained(Sd3Fixtures.Folder("sd3-text/text_encoder_3"));
        var parity = Sd3Fixtures.Parity("sd3-text/text_encoder_3");

        // When
        using var noGrad = Autograd.NoGrad();
        using var hidden = t5.Forward(parity["input_ids"]);

        // Then
        var error = Sd3Fixtures.RelativeL2(hidden, parity["last_hidden_state"]);
        TensorFile.DisposeAll(parity);
        Assert.True(error <= 1e-5, $"T5 relative L2 {error:E2} > 1e-5");
    }

    [Fact]
    public void Should_GiveTransformersBuckets_When_RealT5SettingsAreUsed()
    {
        // Given: transformers' bucket for relative positions −600…600 with T5-XXL's 32 buckets and max distance 128
        var parity = Sd3Fixtures.Parity("sd3-text/text_encoder_3");
        var relative = parity["bucket_table_32_128_relpos"].To(DType.Int64);
        var expected = parity["bucket_table_32_128"].To(DType.Int64);

        // When
        var actual = relative.ToArray<long>().Select(r => T5Encoder.Bucket(r, 32, 128)).ToArray();

        // Then
        Assert.Equal(expected.ToArray<long>(), actual);
        relative.Dispose();
        expected.Dispose();
        TensorFile.DisposeAll(parity);
    }
}
