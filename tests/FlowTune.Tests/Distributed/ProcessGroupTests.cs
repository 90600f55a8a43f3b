using FlowTune.Torch;

namespace FlowTune.Tests.Distributed;

/// <summary>c10d through the shim: two Gloo ranks on two threads of this process, rendezvous through a FileStore.</summary>
public sealed class ProcessGroupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="body"/> as ranks 0..size-1 on their own threads, each with its own group.</summary>
    private static T[] RunRanks<T>(int size, Func<ProcessGroup, T> body, TimeSpan? timeout = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"flowtune-store-{Guid.NewGuid():N}");
        try
        {
            return Ranks.Run(size, rank =>
            {
                using var store = RendezvousStore.File(path, size, Timeout);
                using var group = ProcessGroup.Gloo(store, rank, size, timeout ?? Timeout, hostname: "127.0.0.1");
                return body(group);
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_SumAndAverageEveryTensorInPlace_When_AllReducing()
    {
        // Given: rank r holds r + 1 in a float tensor [2, 3] and a double tensor [4] (two dtypes → two buffers)

        // When
        var results = RunRanks(2, group =>
        {
            using var scope = TensorScope.Enter();
            var a = Tensor.Full([2, 3], group.Rank + 1);
            var b = Tensor.Full([4], group.Rank + 1, DType.Float64);
            group.AllReduce([a, b], ReduceOp.Sum);
            var c = Tensor.Full([5], 10.0 * (group.Rank + 1));
            group.AllReduce([c], ReduceOp.Average);
            return (a.ToArray<float>(), b.ToArray<double>(), c.ToArray<float>());
        });

        // Then: 1 + 2 = 3 everywhere; the mean of 10 and 20 is 15
        Assert.All(results, r =>
        {
            Assert.All(r.Item1, v => Assert.Equal(3f, v));
            Assert.All(r.Item2, v => Assert.Equal(3.0, v));
            Assert.All(r.Item3, v => Assert.Equal(15f, v));
        });
    }

    [Fact]
    public void Should_CopyTheRootsValuesAndGatherEveryRanks_When_BroadcastingAndGathering()
    {
        // Given / When
        var results = RunRanks(2, group =>
        {
            using var scope = TensorScope.Enter();
            var t = Tensor.FromArray([group.Rank * 10f, group.Rank * 10f + 1], 2);
            var gathered = group.AllGather(t).Select(g => g.ToArray<float>()).ToArray();
            group.Broadcast(t, root: 1);
            group.Barrier();
            return (t.ToArray<float>(), gathered);
        });

        // Then
        Assert.All(results, r =>
        {
            Assert.Equal(new[] { 10f, 11f }, r.Item1);
            Assert.Equal(new[] { 0f, 1f }, r.gathered[0]);
            Assert.Equal(new[] { 10f, 11f }, r.gathered[1]);
        });
    }

    [Fact]
    public void Should_FailAfterTheTimeout_When_ALivePeerNeverJoinsTheCollective()
    {
        // Given: rank 1 stays in the group but does not call the barrier rank 0 waits in (a hung peer)
        using var rank0Done = new ManualResetEventSlim();

        // When
        var results = RunRanks(2, group =>
        {
            if (group.Rank == 1)
            {
                rank0Done.Wait(TimeSpan.FromSeconds(30));
                return ((Exception?)null, 0.0);
            }

            var started = DateTime.UtcNow;
            var error = Record.Exception(group.Barrier);
            rank0Done.Set();
            return (error, (DateTime.UtcNow - started).TotalSeconds);
        }, timeout: TimeSpan.FromSeconds(2));

        // Then: a TorchException with Gloo's message after about the 2 s timeout, not a hang
        var (exception, seconds) = results[0];
        var torchError = Assert.IsType<TorchException>(exception);
        Assert.False(string.IsNullOrWhiteSpace(torchError.Message));
        Assert.InRange(seconds, 1.5, 20);
    }

    [Fact]
    public void Should_FailFast_When_APeerLeavesTheGroup()
    {
        // Given: rank 1 leaves (its process would have died) without calling the barrier

        // When
        var results = RunRanks(2, group => group.Rank == 1 ? null : Record.Exception(group.Barrier), timeout: TimeSpan.FromSeconds(20));

        // Then
        Assert.IsType<TorchException>(results[0]);
    }

    [Fact]
    public void Should_RefuseARankOutsideTheWorld_When_JoiningAGroup()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), $"flowtune-store-{Guid.NewGuid():N}");
        using var store = RendezvousStore.File(path, 2, Timeout);

        // When
        var error = Assert.Throws<TorchException>(() => ProcessGroup.Gloo(store, 2, 2, Timeout));

        // Then
        Assert.Contains("rank must be in [0, 2), got 2", error.Message);
        File.Delete(path);
    }

    [Fact]
    public void Should_ShareValuesAndCounters_When_UsingTheStore()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), $"flowtune-store-{Guid.NewGuid():N}");
        using var a = RendezvousStore.File(path, 2, Timeout);
        using var b = RendezvousStore.File(path, 2, Timeout);

        // When
        a.Set("config", new string('x', 1000));
        var first = a.Add("count", 1);
        var second = b.Add("count", 1);

        // Then
        Assert.Equal(new string('x', 1000), b.Get("config"));
        Assert.True(b.Contains("config"));
        Assert.False(b.Contains("missing"));
        Assert.Equal((1L, 2L), (first, second));
        File.Delete(path);
    }
}
