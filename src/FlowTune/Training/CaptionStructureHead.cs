using FlowTune.Models;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Training;

/// <summary>
/// A linear head on the text encoder's output tokens that predicts each labelled word's
/// <see cref="WordLabels"/> (one softmax per head of the <see cref="CaptionLabelSpace"/>). Used only while
/// pretraining, as an auxiliary loss that makes the noun tokens carry their own colour, count and role; it is not
/// part of the exported model.
/// </summary>
public sealed class CaptionStructureHead : Module
{
    private readonly Linear _linear;

    /// <summary>Creates the head for text tokens of width <paramref name="textWidth"/>.</summary>
    public CaptionStructureHead(long textWidth, CaptionLabelSpace space, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(space);
        Space = space;
        _linear = RegisterModule("linear", new Linear(textWidth, space.TotalClasses, generator));
    }

    /// <summary>The heads predicted.</summary>
    public CaptionLabelSpace Space { get; }

    /// <summary>
    /// Mean over heads of the cross-entropy at the labelled words of <paramref name="text"/> (word k is token k + 1,
    /// after &lt;bos&gt;; words cut off by the tokenizer's length are skipped), or null when no caption has labels.
    /// </summary>
    /// <param name="text">The encoded captions.</param>
    /// <param name="labels">Per caption, its word labels, or null for a caption without (e.g. dropped for CFG).</param>
    public Tensor? Loss(TextBatch text, IReadOnlyList<IReadOnlyList<WordLabels>?> labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(labels);
        var length = text.Tokens.Size(1);
        var rows = new List<long>();
        var targets = Space.Heads.Select(_ => new List<long>()).ToArray();
        for (var b = 0; b < labels.Count; b++)
        {
            foreach (var word in labels[b] ?? [])
            {
                if (word.WordIndex + 1 >= length)
                {
                    continue;
                }
                rows.Add((b * length) + word.WordIndex + 1);
                for (var h = 0; h < targets.Length; h++)
                {
                    targets[h].Add(word.Classes[h]);
                }
            }
        }
        if (rows.Count == 0)
        {
            return null;
        }
        using var scope = TensorScope.Enter();
        var width = text.Tokens.Size(2);
        var tokens = text.Tokens.Reshape(-1, width).IndexSelect(0, Tensor.FromArray(rows.ToArray(), rows.Count)); // [N, D]
        var logits = _linear.Forward(tokens);                                                                      // [N, ΣC]
        Tensor? total = null;
        var offset = 0;
        for (var h = 0; h < targets.Length; h++)
        {
            var classes = Space.Heads[h].Classes;
            var loss = F.CrossEntropy(logits.Narrow(1, offset, classes), Tensor.FromArray(targets[h].ToArray(), rows.Count)); // []
            total = total is null ? loss : total + loss;
            offset += classes;
        }
        return scope.MoveToOuter(total! / targets.Length);
    }
}
