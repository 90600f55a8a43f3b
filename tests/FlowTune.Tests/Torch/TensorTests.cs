using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

public sealed class TensorTests
{
    [Fact]
    public void Should_RoundTripValues_When_CreatedFromArray()
    {
        // Given
        float[] data = [1, 2, 3, 4, 5, 6];

        // When
        using var t = Tensor.FromArray(data, 2, 3);

        // Then
        Assert.Equal([2L, 3L], t.Shape);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(Device.Cpu.Type, t.Device.Type);
        Assert.Equal(data, t.ToArray<float>());
    }

    [Fact]
    public void Should_ComputeArithmetic_When_Broadcasting()
    {
        // Given
        using var scope = TensorScope.Enter();
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = Tensor.FromArray(new float[] { 10, 20 }, 2);

        // When
        var c = (a + b) * 2 - 1;
        var d = a.Matmul(a);

        // Then
        Assert.Equal([21f, 43f, 25f, 47f], c.ToArray<float>());
        Assert.Equal([7f, 10f, 15f, 22f], d.ToArray<float>());
    }

    [Fact]
    public void Should_Reduce_When_GivenDims()
    {
        // Given
        using var scope = TensorScope.Enter();
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

        // When
        var sum = a.Sum(1);
        var mean = a.Mean();
        var (values, indices) = a.Max(1);
        var variance = a.Var([1L]);

        // Then
        Assert.Equal([6.0, 15.0], sum.ToArray<double>());
        Assert.Equal(3.5, mean.Item(), 12);
        Assert.Equal([3.0, 6.0], values.ToArray<double>());
        Assert.Equal([2L, 2L], indices.ToArray<long>());
        Assert.Equal([1.0, 1.0], variance.ToArray<double>());
    }

    [Fact]
    public void Should_ReshapeSliceAndJoin_When_UsingShapeOps()
    {
        // Given
        using var scope = TensorScope.Enter();
        var a = Tensor.Arange(0, 12, 1, DType.Float32).View(3, 4);

        // When
        var t = a.Transpose(0, 1).Contiguous();
        var s = a.Slice(1, 1, 3);
        var parts = a.Chunk(3, 0);
        var cat = Tensor.Cat(parts, 1);
        var picked = a.IndexSelect(0, Tensor.FromArray(new long[] { 2, 0 }, 2));

        // Then
        Assert.Equal([4L, 3L], t.Shape);
        Assert.Equal([0f, 4f, 8f, 1f], t.ToArray<float>()[..4]);
        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], s.ToArray<float>());
        Assert.Equal([1L, 12L], cat.Shape);
        Assert.Equal([8f, 9f, 10f, 11f, 0f, 1f, 2f, 3f], picked.ToArray<float>());
    }
}
