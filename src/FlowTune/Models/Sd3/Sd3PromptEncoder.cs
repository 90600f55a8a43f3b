using FlowTune.Models.Sd3.Text;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>StableDiffusion3Pipeline.encode_prompt</c> for one prompt per row (the same prompt for all three
/// encoders): CLIP-L and CLIP-G penultimate hidden states [B, 77, 768 + 1280] concatenated on features and
/// zero-padded to T5's width, then T5's last hidden state [B, max_sequence_length, 4096] appended along the
/// sequence; pooled = CLIP-L's and CLIP-G's projected pooled outputs side by side. Without T5 its part is zeros.
/// No attention masks anywhere (SD3 attends to padding). Frozen: runs without gradients.
/// </summary>
public sealed class Sd3PromptEncoder : IPromptEncoder
{
    private readonly ClipTextModel _clipL;
    private readonly ClipTokenizer _tokenizerL;
    private readonly ClipTextModel _clipG;
    private readonly ClipTokenizer _tokenizerG;
    private readonly T5Encoder? _t5;
    private readonly T5Tokenizer? _tokenizerT5;

    /// <summary>Assembles the encoder (it owns and disposes the models). <paramref name="t5"/> may be null (its part is zeros).</summary>
    public Sd3PromptEncoder(ClipTextModel clipL, ClipTokenizer tokenizerL, ClipTextModel clipG, ClipTokenizer tokenizerG,
        T5Encoder? t5, T5Tokenizer? tokenizerT5, int maxSequenceLength, int jointAttentionDim)
    {
        ArgumentNullException.ThrowIfNull(clipL);
        ArgumentNullException.ThrowIfNull(tokenizerL);
        ArgumentNullException.ThrowIfNull(clipG);
        ArgumentNullException.ThrowIfNull(tokenizerG);
        var problems = new List<string>();
        var clipWidth = clipL.Config.HiddenSize + clipG.Config.HiddenSize;
        if (clipWidth > jointAttentionDim)
        {
            problems.Add($"CLIP-L + CLIP-G width {clipWidth} exceeds the transformer's joint_attention_dim {jointAttentionDim}");
        }
        if (t5 is not null && t5.Config.DModel != jointAttentionDim)
        {
            problems.Add($"T5 d_model {t5.Config.DModel} differs from the transformer's joint_attention_dim {jointAttentionDim}");
        }
        if (t5 is not null && tokenizerT5 is null)
        {
            problems.Add("a T5 encoder needs its tokenizer (tokenizer_3)");
        }
        if (maxSequenceLength is < 1 or > 512)
        {
            problems.Add($"max_sequence_length {maxSequenceLength}: expected 1-512 (diffusers' limit)");
        }
        foreach (var (clip, tokenizer, name) in new[] { (clipL, tokenizerL, "tokenizer"), (clipG, tokenizerG, "tokenizer_2") })
        {
            if (tokenizer.ModelMaxLength > clip.Config.MaxPositionEmbeddings)
            {
                problems.Add($"{name}'s model_max_length {tokenizer.ModelMaxLength} exceeds its encoder's max_position_embeddings {clip.Config.MaxPositionEmbeddings}");
            }
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"inconsistent SD3 text components: {string.Join("; ", problems)}");
        }
        (_clipL, _tokenizerL, _clipG, _tokenizerG, _t5, _tokenizerT5) = (clipL, tokenizerL, clipG, tokenizerG, t5, tokenizerT5);
        MaxSequenceLength = maxSequenceLength;
        JointAttentionDim = jointAttentionDim;
    }

    /// <summary>T5 tokens per prompt (padding and truncation to exactly this many; diffusers' default 256).</summary>
    public int MaxSequenceLength { get; }

    /// <summary>Width of the assembled tokens (the transformer's joint_attention_dim).</summary>
    public int JointAttentionDim { get; }

    /// <summary>Width of the pooled vector: CLIP-L's plus CLIP-G's projection.</summary>
    public int PooledWidth => _clipL.Config.ProjectionDim + _clipG.Config.ProjectionDim;

    /// <summary>The token ids each tokenizer gives the prompts: CLIP-L [B, 77], CLIP-G [B, 77], T5 [B, max_sequence_length] (null without T5).</summary>
    public (Tensor ClipL, Tensor ClipG, Tensor? T5) Tokenize(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return (Ids(prompts, p => _tokenizerL.EncodePadded(p, _tokenizerL.ModelMaxLength)),
            Ids(prompts, p => _tokenizerG.EncodePadded(p, _tokenizerG.ModelMaxLength)),
            _tokenizerT5 is null ? null : Ids(prompts, p => _tokenizerT5.EncodePadded(p, MaxSequenceLength)));
    }

    /// <inheritdoc />
    public TextBatch Encode(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var (idsL, idsG, idsT5) = Tokenize(prompts);
        var b = (long)prompts.Count;
        using var l = _clipL.Forward(idsL);
        using var g = _clipG.Forward(idsG);
        var clip = Tensor.Cat([l.Penultimate, g.Penultimate], -1);                                   // [B, 77, dL + dG]
        var t5 = _t5 is null || idsT5 is null ? Tensor.Zeros([b, MaxSequenceLength, JointAttentionDim]) : _t5.Forward(idsT5); // [B, msl, D]
        clip = clip.Pad([0, JointAttentionDim - clip.Size(-1)]);                                       // [B, 77, D], zeros on the right
        var tokens = Tensor.Cat([clip, t5], 1);                                                       // [B, 77 + msl, D]
        var pooled = Tensor.Cat([l.TextEmbeds, g.TextEmbeds], -1);                                    // [B, pL + pG]
        var padding = Tensor.Zeros([b, tokens.Size(1)], DType.Bool);                                  // SD3 masks nothing
        scope.MoveToOuter([tokens, padding, pooled]);
        return new TextBatch(tokens, padding, pooled);
    }

    /// <summary>Frees the encoders.</summary>
    public void Dispose()
    {
        _clipL.Dispose();
        _clipG.Dispose();
        _t5?.Dispose();
    }

    private static Tensor Ids(IReadOnlyList<string> prompts, Func<string, IReadOnlyList<int>> encode)
    {
        var rows = prompts.Select(encode).ToList();
        var length = rows[0].Count;
        return Tensor.FromArray(rows.SelectMany(r => r.Select(i => (long)i)).ToArray(), rows.Count, length); // [B, L] int64
    }
}
