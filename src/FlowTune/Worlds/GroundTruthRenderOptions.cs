namespace FlowTune.Worlds;

/// <summary>Options of <see cref="GroundTruthFolder"/>: how many ground-truth images to render per prompt, and how.</summary>
public sealed record GroundTruthRenderOptions
{
    /// <summary>Images per prompt.</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Seed of the scenes; image <c>k</c> of prompt <c>p</c> uses the seed derived from it for item <c>1000 p + k</c>.</summary>
    public int Seed { get; init; }

    /// <summary>The first image of up to this many prompts goes into <c>grid.png</c> (0 = no grid).</summary>
    public int GridPrompts { get; init; } = 64;

    /// <summary>Tiles per row of <c>grid.png</c>.</summary>
    public int GridColumns { get; init; } = 8;

    /// <summary>Every problem with these values.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        if (SamplesPerPrompt < 1)
        {
            p.Add($"samples_per_prompt must be >= 1, got {SamplesPerPrompt}");
        }
        if (SamplesPerPrompt > 1000)
        {
            p.Add($"samples_per_prompt must be <= 1000 (the seed of image k of prompt p is derived from 1000 p + k), got {SamplesPerPrompt}");
        }
        if (ImageSize < 1)
        {
            p.Add($"image_size must be >= 1, got {ImageSize}");
        }
        if (GridPrompts < 0)
        {
            p.Add($"grid_prompts must be >= 0, got {GridPrompts}");
        }
        if (GridColumns < 1)
        {
            p.Add($"grid_columns must be >= 1, got {GridColumns}");
        }
        return p;
    }
}
