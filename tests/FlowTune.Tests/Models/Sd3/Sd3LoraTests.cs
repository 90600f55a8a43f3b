using FlowTune.IO;
using FlowTune.Models.Sd3;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>LoRA on the SD3 transformer with Flow-GRPO's targets.</summary>
public class Sd3LoraTests
{
    [Fact]
    public void Should_AdaptEveryJointAttentionProjectionButNotAttn2_When_ReferenceTargetsAreAttached()
    {
        // Given: 3 blocks, dual attention in 0 and 1, the last block context-pre-only
        using var net = Sd3Transformer.FromPretrained(Sd3Fixtures.Folder("transformer-sd35"));
        using var generator = new Generator(1);

        // When
        var adapted = Sd3Lora.Attach(net, generator);

        // Then: 8 projections per block, 7 in the last (no to_add_out), none in attn2
        Assert.Equal(8 + 8 + 7, adapted.Count);
        Assert.DoesNotContain(adapted, p => p.Contains(".attn2.", StringComparison.Ordinal));
        Assert.Contains("transformer_blocks.2.attn.add_q_proj", adapted);
        Assert.DoesNotContain("transformer_blocks.2.attn.to_add_out", adapted);
        var a = net.NamedParameters().First(p => p.Key == "transformer_blocks.0.attn.to_q.lora.A").Value;
        Assert.Equal([32L, 16L], a.Shape);
        using var std = a.Std();
        Assert.InRange(std.Item(), 0.8 / 32, 1.2 / 32); // PEFT's Gaussian init: std 1/rank
    }

    [Fact]
    public void Should_LeaveOutputUnchangedUntilTrained_When_AdaptersAreAttached()
    {
        // Given
        using var net = Sd3Transformer.FromPretrained(Sd3Fixtures.Folder("transformer-sd35"));
        var parity = Sd3Fixtures.Parity("transformer-sd35");
        using var noGrad = Autograd.NoGrad();
        using var generator = new Generator(2);
        Sd3Lora.Attach(net, generator, rank: 4, alpha: 8);

        // When: at attachment (B = 0), after moving every B, and with the adapters switched off again
        using var fresh = net.Forward(parity["hidden_states"], parity["encoder_hidden_states"], parity["pooled_projections"], parity["timestep"]);
        foreach (var (name, b) in net.NamedParameters().Where(p => p.Key.EndsWith(".lora.B", StringComparison.Ordinal)))
        {
            b.Fill_(0.05);
        }
        using var trained = net.Forward(parity["hidden_states"], parity["encoder_hidden_states"], parity["pooled_projections"], parity["timestep"]);
        Lora.SetEnabled(net, false);
        using var reference = net.Forward(parity["hidden_states"], parity["encoder_hidden_states"], parity["pooled_projections"], parity["timestep"]);

        // Then
        var atAttach = Sd3Fixtures.RelativeL2(fresh, parity["sample"]);
        var moved = Sd3Fixtures.RelativeL2(trained, parity["sample"]);
        var off = Sd3Fixtures.RelativeL2(reference, parity["sample"]);
        TensorFile.DisposeAll(parity);
        Assert.True(atAttach <= 1e-6, $"at attachment: {atAttach:E2}");
        Assert.True(moved > 1e-3, $"after moving B: {moved:E2}");
        Assert.True(off <= 1e-6, $"adapters off: {off:E2}");
    }
}
