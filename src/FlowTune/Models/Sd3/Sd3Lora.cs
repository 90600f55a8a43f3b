using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>LoRA on an SD3 transformer as Flow-GRPO trains SD3.5 (PEFT targets by module-name suffix).</summary>
public static class Sd3Lora
{
    /// <summary>The reference's targets: every joint attention's image and text projections (not SD3.5's <c>attn2</c>).</summary>
    public static readonly IReadOnlyList<string> ReferenceTargets =
        ["attn.to_q", "attn.to_k", "attn.to_v", "attn.to_out.0", "attn.add_q_proj", "attn.add_k_proj", "attn.add_v_proj", "attn.to_add_out"];

    /// <summary>Attaches rank-<paramref name="rank"/> adapters (reference: 32, alpha 64, Gaussian A) to <paramref name="targets"/>; returns the adapted paths.</summary>
    public static IReadOnlyList<string> Attach(Sd3Transformer transformer, Generator generator, int rank = 32, double alpha = 64, IReadOnlyCollection<string>? targets = null) =>
        Lora.Attach(transformer, targets ?? [.. ReferenceTargets], rank, alpha, generator, LoraInit.Gaussian);
}
