using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Dit;

/// <summary>
/// One MMDiT block: image and text streams with their own weights and adaLN-zero modulation from the conditioning
/// vector, attending jointly over the concatenated tokens (SD3, Esser et al. 2024).
/// </summary>
public sealed class JointBlock : Module
{
    private readonly int _heads;
    private readonly Stream _image;
    private readonly Stream _text;

    /// <summary>
    /// Creates the block. In the last block the text stream only supplies keys and values (SD3's
    /// "context pre-only"): its output would be discarded, so it has no output projection or MLP.
    /// </summary>
    public JointBlock(int width, int heads, int mlpRatio, Generator generator, bool updateText = true)
    {
        _heads = heads;
        _image = RegisterModule("image", new Stream(width, mlpRatio, generator, full: true));
        _text = RegisterModule("text", new Stream(width, mlpRatio, generator, full: updateText));
    }

    /// <summary>image [B, N, D], text [B, L, D], padding [B, L], conditioning [B, D] (after SiLU) → updated (image, text).</summary>
    public (Tensor Image, Tensor Text) Forward(Tensor image, Tensor text, Tensor padding, Tensor conditioning)
    {
        using var scope = TensorScope.Enter();
        var mi = _image.Modulation(conditioning);  // 6 × [B, 1, D]
        var mt = _text.Modulation(conditioning);
        var (qi, ki, vi) = _image.Qkv(Modulate(image, mi[0], mi[1]));
        var (qt, kt, vt) = _text.Qkv(Modulate(text, mt[0], mt[1]));
        var n = image.Size(1);
        var q = Heads(Tensor.Cat([qi, qt], 1));   // [B, H, N+L, Dh]
        var k = Heads(Tensor.Cat([ki, kt], 1));
        var v = Heads(Tensor.Cat([vi, vt], 1));
        var b = image.Size(0);
        var keyPadding = Tensor.Cat([Tensor.Zeros([b, n], DType.Bool, image.Device), padding], 1);                     // [B, N+L]
        var mask = Tensor.Zeros([b, 1, 1, keyPadding.Size(1)], image.DType, image.Device).MaskedFill(keyPadding.View(b, 1, 1, -1), double.NegativeInfinity);
        var o = F.ScaledDotProductAttention(q, k, v, mask);                                                // [B, H, N+L, Dh]
        o = F.MergeHeads(o);                                                                               // [B, N+L, D]
        var oi = o.Narrow(1, 0, n);
        var ot = o.Narrow(1, n, o.Size(1) - n);
        image = image + mi[2] * _image.Out(oi);
        image = image + mi[5] * _image.Mlp(Modulate(image, mi[3], mi[4]));
        if (_text.Full)
        {
            text = text + mt[2] * _text.Out(ot);
            text = text + mt[5] * _text.Mlp(Modulate(text, mt[3], mt[4]));
        }
        scope.MoveToOuter([image, text]);
        return (image, text);
    }

    /// <summary>LayerNorm without affine, then x·(1 + scale) + shift.</summary>
    internal static Tensor Modulate(Tensor x, Tensor shift, Tensor scale) => Sd3.AdaLayerNorm.Modulate(Sd3.AdaLayerNorm.Norm(x), shift, scale);

    private Tensor Heads(Tensor x) => F.SplitHeads(x, _heads); // [B, T, D] → [B, H, T, Dh]

    /// <summary>The weights of one stream (image or text).</summary>
    private sealed class Stream : Module
    {
        private readonly Linear _adaLn;
        private readonly Linear _qkv;
        private readonly Linear? _out;
        private readonly Linear? _fc1;
        private readonly Linear? _fc2;

        public Stream(int width, int mlpRatio, Generator generator, bool full)
        {
            Full = full;
            _adaLn = RegisterModule("adaln", new Linear(width, (full ? 6 : 2) * width, generator, zeroInit: true));
            _qkv = RegisterModule("qkv", new Linear(width, 3 * width, generator));
            if (full)
            {
                _out = RegisterModule("out", new Linear(width, width, generator));
                _fc1 = RegisterModule("fc1", new Linear(width, mlpRatio * width, generator));
                _fc2 = RegisterModule("fc2", new Linear(mlpRatio * width, width, generator));
            }
        }

        /// <summary>False for a pre-only text stream (keys and values only).</summary>
        public bool Full { get; }

        /// <summary>shift1, scale1, gate1, shift2, scale2, gate2 (pre-only: shift1, scale1): each [B, 1, D].</summary>
        public Tensor[] Modulation(Tensor c) => _adaLn.Forward(c).Unsqueeze(1).Chunk(Full ? 6 : 2, -1);

        public (Tensor, Tensor, Tensor) Qkv(Tensor x)
        {
            var parts = _qkv.Forward(x).Chunk(3, -1); // 3 × [B, T, D]
            return (parts[0], parts[1], parts[2]);
        }

        public Tensor Out(Tensor x) => _out!.Forward(x);

        public Tensor Mlp(Tensor x) => _fc2!.Forward(F.Gelu(_fc1!.Forward(x), tanhApproximation: true));
    }
}
