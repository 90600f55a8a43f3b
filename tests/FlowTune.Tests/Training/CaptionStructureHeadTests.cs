using FlowTune.Models;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Tests.Training;

public sealed class CaptionStructureHeadTests
{
    private static readonly CaptionLabelSpace Space = new([("a", 2), ("b", 3)]);

    [Fact]
    public void Should_EqualTheHandComputedCrossEntropy_When_WordsAreLabelled()
    {
        // Given: 2 captions × 4 tokens × width 3; caption 0 labels word 1 (token 2), caption 1 word 0 (token 1) and a
        // word cut off by the length (word 5 → token 6 ≥ 4)
        using var generator = new Generator(5);
        using var head = new CaptionStructureHead(3, Space, generator);
        var tokens = Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i * 0.7)).ToArray();
        using var text = new TextBatch(Tensor.FromArray(tokens, 2, 4, 3), Tensor.Zeros([2, 4], DType.Bool), Tensor.Zeros([2, 3]));
        IReadOnlyList<WordLabels>[] labels = [[new WordLabels(1, [1, 0])], [new WordLabels(0, [0, 2]), new WordLabels(5, [1, 1])]];

        // When
        using var loss = head.Loss(text, labels)!;

        // Then: mean over heads of the mean −log softmax at the labelled rows
        var state = head.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray<float>());
        var (w, b) = (state["linear.weight"], state["linear.bias"]);
        double[] Logits(int row) => Enumerable.Range(0, 5).Select(o => b[o] + Enumerable.Range(0, 3).Sum(i => (double)w[(o * 3) + i] * tokens[(row * 3) + i])).ToArray();
        static double Nll(double[] z, int offset, int count, int target)
        {
            var max = z.Skip(offset).Take(count).Max();
            var logSum = max + Math.Log(z.Skip(offset).Take(count).Sum(v => Math.Exp(v - max)));
            return logSum - z[offset + target];
        }
        var (r0, r1) = (Logits(2), Logits(4 + 1));
        var expected = (((Nll(r0, 0, 2, 1) + Nll(r1, 0, 2, 0)) / 2) + ((Nll(r0, 2, 3, 0) + Nll(r1, 2, 3, 2)) / 2)) / 2;
        Assert.Equal(expected, loss.Item(), 1e-5); // float32 head against a float64 reference
    }

    [Fact]
    public void Should_ReturnNull_When_NoCaptionHasLabels()
    {
        // Given
        using var generator = new Generator(5);
        using var head = new CaptionStructureHead(3, Space, generator);
        using var text = new TextBatch(Tensor.Zeros([2, 4, 3]), Tensor.Zeros([2, 4], DType.Bool), Tensor.Zeros([2, 3]));

        // When
        var loss = head.Loss(text, [null, []]);

        // Then
        Assert.Null(loss);
    }
}
