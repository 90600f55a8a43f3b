using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

[Collection("Serial")]
public sealed class ScopeAndErrorTests
{
    [Fact]
    public void Should_ThrowTorchExceptionWithLibtorchMessage_When_MatmulShapesMismatch()
    {
        // Given
        using var scope = TensorScope.Enter();
        var a = Tensor.Ones([2, 3]);
        var b = Tensor.Ones([4, 5]);

        // When
        var error = Assert.Throws<TorchException>(() => a.Matmul(b));
        var after = a.Matmul(Tensor.Full([3, 2], 2.0));

        // Then
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied", error.Message, StringComparison.Ordinal);
        Assert.Contains("2x3 and 4x5", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("aten::matmul", error.Message, StringComparison.Ordinal);
        Assert.Equal([6f, 6f, 6f, 6f], after.ToArray<float>());
    }

    [Fact]
    public void Should_ThrowTorchException_When_ShimRejectsCall()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = Tensor.Ones([2, 2]).WithRequiresGrad();
        var y = x * 3;

        // When
        var badData = Assert.Throws<TorchException>(() => Tensor.FromArray(new float[] { 1, 2, 3 }, 2, 2));
        var nonScalar = Assert.Throws<TorchException>(() => y.Backward());
        y.Sum().Backward();

        // Then
        Assert.Contains("data has 12 bytes but shape and dtype need 16", badData.Message, StringComparison.Ordinal);
        Assert.Contains("grad can be implicitly created only for scalar outputs", nonScalar.Message, StringComparison.Ordinal);
        Assert.Equal([3f, 3f, 3f, 3f], x.Grad!.ToArray<float>());
    }

    [Fact]
    public void Should_ReturnToBaselineCounts_When_ManySmallOpsRunInScopes()
    {
        // Given: warm up (operator handles, grad buffers), then settle finalizers of other tests' leftovers
        RunIterations(0, 20);
        var managed = Finalizers.LiveTensors();
        var native = TorchRuntime.LiveNativeTensors;

        // When
        var drift = new List<string>();
        for (var block = 0; block < 10; block++)
        {
            RunIterations(block * 1000, 1000);
            if (Tensor.LiveCount != managed || TorchRuntime.LiveNativeTensors != native)
            {
                drift.Add($"after {(block + 1) * 1000} iterations: managed {Tensor.LiveCount} (baseline {managed}), native {TorchRuntime.LiveNativeTensors} (baseline {native})");
            }
        }
        Finalizers.Settle();

        // Then
        Assert.Empty(drift);
        Assert.Equal(managed, Tensor.LiveCount);
        Assert.Equal(native, TorchRuntime.LiveNativeTensors);
    }

    [Fact]
    public void Should_ThrowObjectDisposed_When_DisposedTensorIsUsed()
    {
        // Given
        using var scope = TensorScope.Enter();
        var other = Tensor.Ones([2]);
        var t = Tensor.Ones([2]);
        Tensor owned;
        using (TensorScope.Enter())
        {
            owned = Tensor.Zeros([2]);
        }

        // When
        t.Dispose();
        t.Dispose(); // idempotent

        // Then
        Assert.True(t.IsDisposed);
        Assert.True(owned.IsDisposed);
        Assert.Equal("Tensor(disposed)", t.ToString());
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => t + 1);
        Assert.Throws<ObjectDisposedException>(() => other + t);
        Assert.Throws<ObjectDisposedException>(() => owned.Item());
        Assert.Throws<ObjectDisposedException>(() => t.RequiresGrad = true);
        Assert.Equal([2f, 2f], (other + other).ToArray<float>());
    }

    [Fact]
    public void Should_KeepResultAlive_When_MovedToOuterScope()
    {
        // Given
        var outer = TensorScope.Enter();
        Tensor temp, result, detached;
        int innerCount;
        TensorScope? currentAfterInner;
        (bool, bool, int) aliveInOuter;
        float[] values;

        // When
        try
        {
            using (var inner = TensorScope.Enter())
            {
                temp = Tensor.Ones([3]);
                result = inner.MoveToOuter(temp * 2 + 1);
                detached = (temp * 5).DetachFromScope();
                innerCount = inner.Count; // temp and the intermediate temp * 2
            }
            currentAfterInner = TensorScope.Current;
            aliveInOuter = (result.IsDisposed, temp.IsDisposed, outer.Count);
            values = result.ToArray<float>();
        }
        finally
        {
            outer.Dispose();
        }

        // Then
        Assert.Equal(2, innerCount);
        Assert.Same(outer, currentAfterInner);
        Assert.Equal((false, true, 1), aliveInOuter);
        Assert.Equal([3f, 3f, 3f], values);
        Assert.True(result.IsDisposed);
        Assert.NotSame(outer, TensorScope.Current);
        Assert.False(detached.IsDisposed);
        Assert.Equal([5f, 5f, 5f], detached.ToArray<float>());
        detached.Dispose();
    }

    [Fact]
    public void Should_NotRecordGradients_When_InsideNoGrad()
    {
        // Given
        using var scope = TensorScope.Enter();
        var x = Tensor.Ones([2]).WithRequiresGrad();

        // When
        Tensor inside, reenabled;
        bool enabledInside;
        using (Autograd.NoGrad())
        {
            enabledInside = Autograd.GradEnabled;
            inside = x * 2;
            using (Autograd.EnableGrad())
            {
                reenabled = x * 2;
            }
        }
        var outside = x * 2;

        // Then
        Assert.False(enabledInside);
        Assert.False(inside.RequiresGrad);
        Assert.True(inside.IsLeaf);
        Assert.True(reenabled.RequiresGrad);
        Assert.True(Autograd.GradEnabled);
        Assert.True(outside.RequiresGrad);
        Assert.False(outside.IsLeaf);
    }

    [Fact]
    public void Should_ReproduceSamples_When_SeedOrStateIsEqual()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var g1 = new Generator(123);
        using var g2 = new Generator(123);
        using var g3 = new Generator(124);

        // When
        var a = Tensor.Randn([16], g1).ToArray<float>();
        var b = Tensor.Randn([16], g2).ToArray<float>();
        var c = Tensor.Randn([16], g3).ToArray<float>();
        var state = g1.GetState();
        var next = Tensor.Randn([16], g1).ToArray<float>();
        var ints = Tensor.RandInt(0, 1000, [8], g1).ToArray<long>();
        var perm = Tensor.RandPerm(10, g1).ToArray<long>();
        g1.SetState(state);
        var replay = Tensor.Randn([16], g1).ToArray<float>();
        var replayInts = Tensor.RandInt(0, 1000, [8], g1).ToArray<long>();
        var replayPerm = Tensor.RandPerm(10, g1).ToArray<long>();
        g3.SetState(state); // another generator takes over the sequence
        var transplanted = Tensor.Randn([16], g3).ToArray<float>();

        // Then
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, next);
        Assert.Equal(next, replay);
        Assert.Equal(ints, replayInts);
        Assert.Equal(perm, replayPerm);
        Assert.Equal(next, transplanted);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), perm.Order());
        Assert.Equal(123UL, g1.Seed);
    }

    [Fact]
    public void Should_MatchManagedReference_When_MultiplyingOddSizedMatrices()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(31);
        const int n = 257, k = 129, m = 65;
        var a = Tensor.Randn([n, k], generator);
        var b = Tensor.Randn([k, m], generator);
        var av = a.ToArray<float>();
        var bv = b.ToArray<float>();

        // When
        var c = a.Matmul(b).ToArray<float>();
        var ct = b.Transpose(0, 1).Contiguous().Transpose(0, 1); // same values, column-major layout
        var c2 = a.Mm(ct).ToArray<float>();
        var c64 = a.To(DType.Float64).Matmul(b.To(DType.Float64)).ToArray<double>();

        // Then
        var worst = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var reference = 0.0;
                for (var p = 0; p < k; p++)
                {
                    reference += (double)av[i * k + p] * bv[p * m + j];
                }
                var scale = Math.Max(1.0, Math.Abs(reference));
                worst = Math.Max(worst, Math.Abs(c[i * m + j] - reference) / scale);
                worst = Math.Max(worst, Math.Abs(c2[i * m + j] - reference) / scale);
                Assert.Equal(reference, c64[i * m + j], 1e-9);
            }
        }
        Assert.True(worst <= 1e-3, $"float32 matmul deviates from the float64 reference by {worst:E3} (relative)");
    }

    private static void RunIterations(int start, int count)
    {
        for (var k = start; k < start + count; k++)
        {
            using var scope = TensorScope.Enter();
            var a = Tensor.Full([4], k % 7, DType.Float32).WithRequiresGrad();
            var b = (a * 2 + 1).Sum();
            b.Backward();
            using var grad = a.Grad;
            var (values, indices) = a.Max(0);
            var parts = a.Chunk(2);
            if (k % 100 == 0)
            {
                Assert.Throws<TorchException>(() => a.View(3, 3));
            }
            Assert.Equal(2, parts.Length);
            Assert.False(values.IsDisposed || indices.IsDisposed);
        }
    }
}
