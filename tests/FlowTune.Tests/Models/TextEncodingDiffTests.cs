using FlowTune.Cli.Commands;
using FlowTune.Models.Text;
using FlowTune.Torch;

namespace FlowTune.Tests.Models;

public sealed class TextEncodingDiffTests
{
    private static TextEncoder Encoder()
    {
        using var generator = new Generator(4);
        return new TextEncoder(new TextEncoderConfig { Width = 16, Depth = 1, Heads = 2 }, new Tokenizer("a photo of red blue cross ring and".Split(' '), 12), generator);
    }

    [Fact]
    public void Should_ReportZeroEverywhere_When_PromptsAreEqual()
    {
        // Given
        using var encoder = Encoder();

        // When
        var result = TextEncodingDiff.Compare(encoder, "a red cross", "a red cross");

        // Then: zero up to float32 rounding, relative to the token norm (the two prompts are different rows of the
        // encoder's matrix products, which a BLAS kernel may round differently; one changed word moves tokens by
        // ~0.1-0.5 of the norm, see the next test)
        Assert.Equal(["<bos>", "a", "red", "cross"], result.Rows.Select(r => r.TokenA));
        Assert.True(result.MeanTokenNorm > 1, $"token norm {result.MeanTokenNorm}");
        var rounding = 1e-5 * result.MeanTokenNorm;
        Assert.All(result.Rows, r => Assert.InRange(r.Distance, 0, rounding));
        Assert.InRange(result.PooledDistance, 0, rounding);
    }

    [Fact]
    public void Should_ShowTheChangedWordFirst_When_OneWordDiffers()
    {
        // Given
        using var encoder = Encoder();

        // When: only word 2 ("red"/"blue", token 2) differs; the rest differ only through attention
        var result = TextEncodingDiff.Compare(encoder, "a red cross and a ring", "a blue cross and a ring");
        using var output = new StringWriter();
        TextDiffCommand.Write(result, output);

        // Then
        Assert.Equal(7, result.Rows.Count);
        Assert.Equal(("red", "blue"), (result.Rows[2].TokenA, result.Rows[2].TokenB));
        Assert.Equal(2, result.Rows.Select((r, k) => (r.Distance, k)).Max().k);
        Assert.True(result.PooledDistance > 0);
        Assert.Contains("  2  red       blue      ", output.ToString(), StringComparison.Ordinal);
    }
}
