using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

public sealed class TorchLaneTests
{
    private static Tensor Work(Tensor x, Tensor w) => F.Conv2d(x, w, padding: 1).Matmul(x.Transpose(-2, -1)).Sum([1]);

    [Fact]
    public async Task Should_ComputeWhatTheCallerComputes_When_RunningOnALane()
    {
        // Given
        using var generator = new Generator(4);
        using var x = Tensor.Randn([4, 3, 16, 16], generator);
        using var w = Tensor.Randn([3, 3, 3, 3], generator);
        float[] here;
        long[] shape;
        using (var scope = TensorScope.Enter())
        {
            var result = Work(x, w);
            here = result.ToArray<float>();
            shape = result.Shape;
        }
        using var lane = new TorchLane(1);

        // When
        var (onLane, threads, grad) = await lane.Run(() =>
        {
            using var scope = TensorScope.Enter();
            return (scope.MoveToOuter(Work(x, w)), TorchRuntime.NumThreads, Autograd.GradEnabled);
        });
        using var laneResult = onLane;

        // Then
        Assert.Equal(1, threads);
        Assert.False(grad);
        Assert.Equal(shape, laneResult.Shape);
        var b = laneResult.ToArray<float>();
        for (var i = 0; i < here.Length; i++)
        {
            Assert.Equal(here[i], b[i], 1e-3f * (1 + Math.Abs(here[i])));
        }
    }

    [Fact]
    public async Task Should_PassTheJobsException_When_ItFails()
    {
        // Given
        using var lane = new TorchLane(1);

        // When
        var failed = lane.Run(() =>
        {
            using var a = Tensor.Ones([2, 3]);
            using var b = Tensor.Ones([4, 5]);
            return a.Matmul(b);
        });
        var after = lane.Run(() => 5);

        // Then: the lane keeps running after a failed job
        var error = await Assert.ThrowsAsync<TorchException>(() => failed);
        Assert.Contains("aten::matmul", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, await after);
    }

    [Fact]
    public void Should_ChangeOnlyThisThreadsCount_When_SettingThreadsForThisThread()
    {
        // Given
        var before = TorchRuntime.NumThreads;
        var target = before == 1 ? 2 : 1;
        int inside, otherThread = 0;

        // When
        using (TorchRuntime.ThreadsForThisThread(target))
        {
            inside = TorchRuntime.NumThreads;
            var other = new Thread(() => otherThread = TorchRuntime.NumThreads);
            other.Start();
            other.Join();
        }
        var after = TorchRuntime.NumThreads;

        // Then
        Assert.Equal(target, inside);
        Assert.NotEqual(target, otherThread);
        Assert.Equal(before, after);
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.ThreadsForThisThread(0));
    }
}
