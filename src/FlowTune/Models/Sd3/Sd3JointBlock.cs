using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>JointTransformerBlock</c>: image and text streams with their own adaLN-zero modulation
/// (<c>norm1</c>, <c>norm1_context</c>), joint attention, and gated MLPs (<c>ff</c>, <c>ff_context</c>). In the last
/// block (context pre-only) the text stream is only normalised by <c>AdaLayerNormContinuous</c> to supply keys and
/// values. With dual attention (SD3.5) <c>norm1</c> has nine chunks and an image-only <c>attn2</c> follows the joint
/// attention, from the same normalised input modulated by its own shift and scale.
/// </summary>
public sealed class Sd3JointBlock : Module
{
    private readonly bool _contextPreOnly;
    private readonly bool _dual;
    private readonly AdaLayerNorm _norm1;
    private readonly AdaLayerNorm _norm1Context;
    private readonly JointAttention _attn;
    private readonly JointAttention? _attn2;
    private readonly FeedForward _ff;
    private readonly FeedForward? _ffContext;

    /// <summary>Creates block of width heads × head width.</summary>
    public Sd3JointBlock(int width, int heads, bool contextPreOnly, bool qkRmsNorm, bool dualAttention, Generator generator)
    {
        _contextPreOnly = contextPreOnly;
        _dual = dualAttention;
        _norm1 = RegisterModule("norm1", new AdaLayerNorm(width, dualAttention ? 9 : 6, generator));
        _norm1Context = RegisterModule("norm1_context", new AdaLayerNorm(width, contextPreOnly ? 2 : 6, generator));
        _attn = RegisterModule("attn", new JointAttention(width, heads, qkRmsNorm, joint: true, textOutput: !contextPreOnly, generator));
        if (dualAttention)
        {
            _attn2 = RegisterModule("attn2", new JointAttention(width, heads, qkRmsNorm, joint: false, textOutput: false, generator));
        }
        _ff = RegisterModule("ff", new FeedForward(width, generator));
        if (!contextPreOnly)
        {
            _ffContext = RegisterModule("ff_context", new FeedForward(width, generator));
        }
    }

    /// <summary>image [B, N, D], text [B, L, D], conditioning [B, D] → (image, text; text null after a pre-only block).</summary>
    public (Tensor Image, Tensor? Text) Forward(Tensor image, Tensor text, Tensor conditioning)
    {
        using var scope = TensorScope.Enter();
        var m = _norm1.Modulation(conditioning);  // 6 or 9 × [B, 1, D]
        var normedImage = AdaLayerNorm.Norm(image);
        var imageIn = AdaLayerNorm.Modulate(normedImage, m[0], m[1]);
        Tensor textIn;
        Tensor[]? c = null;
        var normedText = AdaLayerNorm.Norm(text);
        if (_contextPreOnly)
        {
            var sc = _norm1Context.Modulation(conditioning);           // scale, shift
            textIn = AdaLayerNorm.Modulate(normedText, sc[1], sc[0]);
        }
        else
        {
            c = _norm1Context.Modulation(conditioning);                // 6 × [B, 1, D]
            textIn = AdaLayerNorm.Modulate(normedText, c[0], c[1]);
        }
        var (attnImage, attnText) = _attn.Forward(imageIn, textIn);
        image = image + m[2] * attnImage;
        if (_dual)
        {
            var image2In = AdaLayerNorm.Modulate(normedImage, m[6], m[7]);
            image = image + m[8] * _attn2!.Forward(image2In);
        }
        image = image + m[5] * _ff.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Norm(image), m[3], m[4]));
        Tensor? textOut = null;
        if (c is not null)
        {
            textOut = text + c[2] * attnText!;
            textOut = textOut + c[5] * _ffContext!.Forward(AdaLayerNorm.Modulate(AdaLayerNorm.Norm(textOut), c[3], c[4]));
            scope.MoveToOuter(textOut);
        }
        scope.MoveToOuter(image);
        return (image, textOut);
    }
}
