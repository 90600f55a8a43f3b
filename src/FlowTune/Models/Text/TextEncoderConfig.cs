namespace FlowTune.Models.Text;

/// <summary>Shape of the text encoder.</summary>
public sealed record TextEncoderConfig
{
    /// <summary>Token embedding width.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Transformer layers.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Attention heads (must divide <see cref="Width"/>).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Maximum tokens per prompt (&lt;bos&gt; included).</summary>
    public int MaxLength { get; init; } = 16;

    /// <summary>Every problem with these values.</summary>
    public IEnumerable<string> Validate()
    {
        if (Width < 8)
        {
            yield return $"text.width must be >= 8, got {Width}";
        }
        if (Depth < 0)
        {
            yield return $"text.depth must be >= 0, got {Depth}";
        }
        if (Heads < 1 || Width % Heads != 0)
        {
            yield return $"text.heads must divide text.width ({Width}), got {Heads}";
        }
        if (MaxLength < 2)
        {
            yield return $"text.max_length must be >= 2, got {MaxLength}";
        }
    }
}
