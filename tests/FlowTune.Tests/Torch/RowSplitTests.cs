using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

[Collection("Serial")]
public sealed class RowSplitTests
{
    private static readonly string[] Words = ["a", "red", "blue", "circle", "square"];

    /// <summary>Runs <paramref name="body"/> with <paramref name="threads"/> intra-op threads and row splitting as given, then restores both.</summary>
    private static void With(int threads, bool split, Action body)
    {
        var (threadsBefore, splitBefore) = (TorchRuntime.NumThreads, RowSplit.Enabled);
        try
        {
            TorchRuntime.NumThreads = threads;
            RowSplit.Enabled = split;
            body();
        }
        finally
        {
            TorchRuntime.NumThreads = threadsBefore;
            RowSplit.Enabled = splitBefore;
        }
    }

    [Fact]
    public void Should_SplitOnlyInferenceBatchesOfTwoRowsPerThread_When_Asked()
    {
        With(2, split: true, () =>
        {
            using (Autograd.NoGrad())
            {
                Assert.Equal(2, RowSplit.Slices(4));
                Assert.Equal(2, RowSplit.Slices(33));
                Assert.Equal(1, RowSplit.Slices(3));                        // fewer than 2 rows per thread
            }
            Assert.Equal(1, RowSplit.Slices(64));                           // autograd on: the graph stays on this thread
        });
        With(1, split: true, () =>
        {
            using var noGrad = Autograd.NoGrad();
            Assert.Equal(1, RowSplit.Slices(64));
        });
        With(2, split: false, () =>
        {
            using var noGrad = Autograd.NoGrad();
            Assert.Equal(1, RowSplit.Slices(64));
        });
    }

    [Fact]
    public void Should_ConcatenateTheSlicesInRowOrderAndFreeTheRest_When_Mapping()
    {
        With(2, split: true, () =>
        {
            // Given: 7 rows 0..6 (uneven slices 3 + 4)
            var baseline = Finalizers.LiveTensors();
            using var x = Tensor.FromArray(Enumerable.Range(0, 14).Select(i => (float)i).ToArray(), 7, 2);
            var ranges = new List<(long, long, bool)>();

            // When: each slice doubles its rows on a worker thread
            using var y = RowSplit.Map(7, 2, (start, length) =>
            {
                lock (ranges)
                {
                    ranges.Add((start, length, Autograd.GradEnabled));
                }
                return x.Narrow(0, start, length) * 2.0;
            });

            // Then
            Assert.Equal(Enumerable.Range(0, 14).Select(i => 2f * i), y.ToArray<float>());
            Assert.Equal([(0L, 3L, false), (3L, 4L, false)], ranges.Order());
            x.Dispose();
            y.Dispose();
            Assert.Equal(baseline, Finalizers.LiveTensors());
        });
    }

    [Fact]
    public void Should_RethrowTheSlicesErrorOnTheCaller_When_ASliceFails()
    {
        With(2, split: true, () =>
        {
            var baseline = Finalizers.LiveTensors();
            var error = Assert.Throws<InvalidOperationException>(() => RowSplit.Map(4, 2, (start, length) =>
                start == 0 ? Tensor.Zeros([length]) : throw new InvalidOperationException($"slice at row {start} failed")));
            Assert.Equal("slice at row 2 failed", error.Message);
            Assert.Equal(baseline, Finalizers.LiveTensors());  // the slice that succeeded was freed
        });
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Should_GiveTheWholeBatchsVelocityToFloatPrecision_When_GuidedVelocityIsSplit(double guidance)
    {
        // Given: a tiny U-Net and 6 prompts; the split and the whole batch are different computations (not bit for bit)
        using var generator = new Generator(5);
        using var model = new FlowModel(ModelPresets.Get("tiny-unet", 16), new Tokenizer(Words, 8), generator);
        Models.FlowModelTests.PerturbZeroInitWeights(model, generator);
        string[] prompts = ["a red circle", "a blue square", "a circle", "red", "a blue circle", "a square"];
        using var noise = new Generator(6);
        using var x = Tensor.Randn([6, .. model.SampleShape], noise);
        float[] whole = [], split = [], again = [];

        // When
        With(2, split: false, () =>
        {
            using var noGrad = Autograd.NoGrad();
            using var velocity = new GuidedVelocity(model, prompts, guidance);
            using var v = velocity.At(x, 0.6);
            whole = v.ToArray<float>();
        });
        With(2, split: true, () =>
        {
            using var noGrad = Autograd.NoGrad();
            using var velocity = new GuidedVelocity(model, prompts, guidance);
            using (var v = velocity.At(x, 0.6))
            {
                split = v.ToArray<float>();
            }
            using var w = velocity.At(x, 0.6);
            again = w.ToArray<float>();
        });

        // Then
        Assert.Equal(whole.Length, split.Length);
        Assert.True(whole.Select(Math.Abs).Max() > 1e-3, "a non-trivial velocity");
        Assert.InRange(whole.Zip(split, (a, b) => Math.Abs(a - b)).Max(), 0, 1e-5);
        Assert.Equal(split, again);                                         // same thread count → same numbers
    }
}
