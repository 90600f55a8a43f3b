using FlowTune.Rewards;
using FlowTune.Rewards.Remote;
using FlowTune.Rl;
using FlowTune.Tests.Rewards.Remote;

namespace FlowTune.Tests.Rl;

/// <summary>RL against the reference reward server as a real process: training, the server killed mid-run, resume.</summary>
[Collection("Serial")]
public sealed class RemoteRewardTrainingTests
{
    private static FlowTune.Rl.Config.RlConfig Config(RewardServerProcess server) => RlTrainerTests.Tiny() with
    {
        NumEpochs = 4,
        SaveFreq = 10, // only the end of the run and a reward-server failure write checkpoints
        Reward = new RewardOptions
        {
            Weights = [],
            Remote = new RemoteRewardOptions { Url = server.Url("/score").ToString(), Retries = 2, BackoffSeconds = 0.05, TimeoutSeconds = 30, ImagesPerRequest = 2 },
        },
    };

    [Fact]
    public void Should_StopWithACheckpointAndResume_When_TheServerIsKilledMidRunAndComesBack()
    {
        // Given: a reference run against a live server, and the same run whose server is killed after epoch 2
        var reference = Path.Combine(Path.GetTempPath(), $"rl-remote-ref-{Guid.NewGuid():N}");
        var dir = Path.Combine(Path.GetTempPath(), $"rl-remote-{Guid.NewGuid():N}");
        using (var live = RewardServerProcess.Start())
        {
            new RlTrainer(Config(live), reference, TextWriter.Null).Run(resume: false, CancellationToken.None);
        }
        var server = RewardServerProcess.Start();
        var port = server.Port;
        var config = Config(server);
        var killer = new KillAfter("epoch 2/4", server);

        // When
        var error = Assert.Throws<RewardServerException>(() => new RlTrainer(config, dir, killer).Run(resume: false, CancellationToken.None));
        using var back = RewardServerProcess.Start("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var resumed = new RlTrainer(config, dir, TextWriter.Null);
        var epochs = resumed.Run(resume: true, CancellationToken.None);

        // Then: a clear stop naming the URL, the last error and the checkpoint of the completed epochs ...
        Assert.Equal(config.Reward.Remote!.Url, error.Url);
        Assert.Contains("no answer after 3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("The run stopped during epoch 3", error.Message, StringComparison.Ordinal);
        Assert.Contains($"checkpoint of the 2 completed epochs: {Path.Combine(dir, "checkpoint_000002")}", error.Message, StringComparison.Ordinal);
        // ... that resumes to the end, bit for bit the run that never lost its server
        Assert.Equal(4, epochs);
        Assert.Equal(2, resumed.Epochs.Count);
        Assert.All(resumed.Epochs, e => Assert.True(e.ComponentMeans.ContainsKey("colour_match"), "the server's components are logged"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "final", "model.safetensors")), File.ReadAllBytes(Path.Combine(dir, "final", "model.safetensors")));
        Directory.Delete(reference, true);
        Directory.Delete(dir, true);
    }

    /// <summary>A log that kills the server when a line containing <paramref name="marker"/> is written (between two epochs).</summary>
    private sealed class KillAfter(string marker, RewardServerProcess server) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(marker, StringComparison.Ordinal) == true)
            {
                server.Dispose();
            }
        }
    }
}
