namespace FlowTune.Models.Dit;

/// <summary>Shape of the MMDiT-style transformer (SD3 family): patchify, adaLN-zero, joint image+text attention.</summary>
public sealed record MmDitConfig
{
    /// <summary>Patch size in pixels (the image side must be a multiple); 4 gives 64 tokens at 32×32.</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>Token width.</summary>
    public int Width { get; init; } = 128;

    /// <summary>Number of joint blocks.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Attention heads (must divide <see cref="Width"/>).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>MLP hidden width as a multiple of <see cref="Width"/>.</summary>
    public int MlpRatio { get; init; } = 4;

    /// <summary>Every problem with these values.</summary>
    public IEnumerable<string> Validate()
    {
        if (PatchSize < 1)
        {
            yield return $"mmdit.patch_size must be >= 1, got {PatchSize}";
        }
        if (Width < 8 || Heads < 1 || Width % Heads != 0)
        {
            yield return $"mmdit.width ({Width}) must be >= 8 and a multiple of mmdit.heads ({Heads})";
        }
        if (Depth < 1)
        {
            yield return $"mmdit.depth must be >= 1, got {Depth}";
        }
        if (MlpRatio < 1)
        {
            yield return $"mmdit.mlp_ratio must be >= 1, got {MlpRatio}";
        }
    }
}
