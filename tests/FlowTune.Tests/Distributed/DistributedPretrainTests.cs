using FlowTune.Distributed;
using FlowTune.IO;
using FlowTune.Torch;
using FlowTune.Training;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Distributed;

/// <summary>Data-parallel pretraining: two Gloo ranks (threads of this process, TCPStore on loopback) against one process.</summary>
public sealed class DistributedPretrainTests
{
    private static readonly PretrainOptions Tiny = new()
    {
        Preset = "tiny-unet",
        ImageSize = 16,
        BatchSize = 4,
        WarmupSteps = 2,
        MaxSteps = 3,
        LogEvery = 1,
        CheckpointEvery = 3,
        EvalEvery = 0,
        Seed = 5,
    };

    private static ShapesImageTextSource Source()
    {
        var (train, _) = new ShapesWorld().DefaultPrompts();
        return new ShapesImageTextSource(train, 16);
    }

    [Fact]
    public void Should_MatchOneProcessWithTheWholeBatch_When_TwoRanksSplitIt()
    {
        // Given: one process with batch 4, and two ranks with 2 rows each of the same batch
        var single = Path.Combine(Path.GetTempPath(), $"dp-1-{Guid.NewGuid():N}");
        var dirs = new[] { Path.Combine(Path.GetTempPath(), $"dp-r0-{Guid.NewGuid():N}"), Path.Combine(Path.GetTempPath(), $"dp-r1-{Guid.NewGuid():N}") };
        new Pretrainer(Tiny, Source(), single, TextWriter.Null).Run(resume: false, CancellationToken.None);
        var port = Ranks.FreePort();

        // When
        Ranks.Run(2, rank =>
        {
            using var parallel = DataParallel.Join(new LaunchEnvironment(rank, 2, rank, "127.0.0.1", port), TimeSpan.FromSeconds(60));
            return new Pretrainer(Tiny, Source(), dirs[rank], TextWriter.Null) { Parallel = parallel }.Run(resume: false, CancellationToken.None);
        });

        // Then: the same weights up to reduction order (relative L2 over all weights); only rank 0 wrote anything, and its metrics once per step
        using (var scope = TensorScope.Enter())
        {
            foreach (var file in new[] { "model.safetensors", "ema.safetensors" })
            {
                var expected = TensorFile.Load(Path.Combine(single, "checkpoint_000003", file)).Tensors;
                var actual = TensorFile.Load(Path.Combine(dirs[0], "checkpoint_000003", file)).Tensors;
                Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
                var difference = expected.Sum(p => (actual[p.Key] - p.Value).Square().Sum().Item());
                var size = expected.Sum(p => p.Value.Square().Sum().Item());
                Assert.InRange(Math.Sqrt(difference / size), 0, 1e-6);
            }
        }
        Assert.False(Directory.Exists(dirs[1]));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dirs[0], MetricsLog.FileName)).Length);
        foreach (var d in new[] { single, dirs[0] })
        {
            Directory.Delete(d, true);
        }
    }
}
