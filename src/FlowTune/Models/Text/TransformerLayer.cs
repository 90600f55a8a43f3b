using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Text;

/// <summary>Pre-norm transformer encoder layer: x + attn(LN(x)); x + MLP(LN(x)) with GELU, 4× hidden.</summary>
public sealed class TransformerLayer : Module
{
    private readonly LayerNorm _norm1;
    private readonly MultiheadAttention _attention;
    private readonly LayerNorm _norm2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;

    /// <summary>Creates the layer.</summary>
    public TransformerLayer(int width, int heads, Generator generator)
    {
        _norm1 = RegisterModule("norm1", new LayerNorm(width));
        _attention = RegisterModule("attn", new MultiheadAttention(width, heads, generator));
        _norm2 = RegisterModule("norm2", new LayerNorm(width));
        _fc1 = RegisterModule("fc1", new Linear(width, 4 * width, generator));
        _fc2 = RegisterModule("fc2", new Linear(4 * width, width, generator));
    }

    /// <summary>x [B, L, D], padding mask [B, L] → [B, L, D].</summary>
    public Tensor Forward(Tensor x, Tensor paddingMask)
    {
        using var scope = TensorScope.Enter();
        var h = _norm1.Forward(x);
        x = x + _attention.Forward(h, h, h, paddingMask);                  // [B, L, D]
        x = x + _fc2.Forward(F.Gelu(_fc1.Forward(_norm2.Forward(x))));  // [B, L, D]
        return scope.MoveToOuter(x);
    }
}
