using FlowTune.Distributed;
using FlowTune.IO;
using FlowTune.Rl;
using FlowTune.Rl.Config;
using FlowTune.Rl.Groups;
using FlowTune.Tests.Rl;
using FlowTune.Torch;

namespace FlowTune.Tests.Distributed;

/// <summary>Data-parallel Flow-GRPO: two Gloo ranks (threads of this process, TCPStore on loopback) against one process.</summary>
[Collection("Serial")]
public sealed class DistributedRlTests
{
    /// <summary>3 rollout batches per epoch (rank 0 samples two, rank 1 one) and 2 updates per epoch, so some update has no batch on a rank.</summary>
    private static RlConfig Config() => RlTrainerTests.Tiny() with
    {
        NumEpochs = 2,
        SaveFreq = 2,
        Groups = new FixedGroupOptions { NumImagePerPrompt = 4, NumGroupsPerEpoch = 3 },
        Train = RlTrainerTests.Tiny().Train with { UpdatesPerEpoch = 2 },
    };

    private static double RelativeDifference(string expectedFile, string actualFile)
    {
        using var scope = TensorScope.Enter();
        var expected = TensorFile.Load(expectedFile).Tensors;
        var actual = TensorFile.Load(actualFile).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var difference = expected.Sum(p => (actual[p.Key] - p.Value).Square().Sum().Item());
        return Math.Sqrt(difference / Math.Max(expected.Sum(p => p.Value.Square().Sum().Item()), 1e-30));
    }

    [Fact]
    public void Should_MatchOneProcess_When_TwoRanksShareTheEpochsRolloutBatches()
    {
        // Given
        var single = Path.Combine(Path.GetTempPath(), $"drl-1-{Guid.NewGuid():N}");
        var dirs = new[] { Path.Combine(Path.GetTempPath(), $"drl-r0-{Guid.NewGuid():N}"), Path.Combine(Path.GetTempPath(), $"drl-r1-{Guid.NewGuid():N}") };
        var config = Config();
        var alone = new RlTrainer(config, single, TextWriter.Null);
        alone.Run(resume: false, CancellationToken.None);
        var port = Ranks.FreePort();

        // When
        var epochs = Ranks.Run(2, rank =>
        {
            using var parallel = DataParallel.Join(new LaunchEnvironment(rank, 2, rank, "127.0.0.1", port), TimeSpan.FromSeconds(60));
            var trainer = new RlTrainer(config, dirs[rank], TextWriter.Null) { Parallel = parallel };
            trainer.Run(resume: false, CancellationToken.None);
            return trainer.Epochs;
        });

        // Then: weights, EMA and optimizer state as one process's after 4 updates (up to reduction order), the same
        // epoch rewards on both ranks, and only rank 0 wrote a run folder, with as many metric lines
        var checkpoint = Path.Combine(single, "checkpoint_000002");
        var files = Directory.GetFiles(checkpoint, "*.safetensors").Select(Path.GetFileName).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.InRange(RelativeDifference(Path.Combine(checkpoint, file!), Path.Combine(dirs[0], "checkpoint_000002", file!)), 0, 1e-6);
        }
        Assert.All(alone.Epochs.Zip(epochs[0]), p => Assert.Equal(p.First.RewardMean, p.Second.RewardMean, 1e-6));
        Assert.Equal(epochs[0].Select(e => e.RewardMean), epochs[1].Select(e => e.RewardMean));
        Assert.Equal(alone.Epochs.Select(e => e.TrainedSamples), epochs[0].Select(e => e.TrainedSamples));
        Assert.False(Directory.Exists(dirs[1]));
        Assert.Equal(File.ReadAllLines(Path.Combine(single, "metrics.jsonl")).Length, File.ReadAllLines(Path.Combine(dirs[0], "metrics.jsonl")).Length);
        Directory.Delete(single, true);
        Directory.Delete(dirs[0], true);
    }
}
