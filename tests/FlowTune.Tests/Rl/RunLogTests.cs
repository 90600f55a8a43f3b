using FlowTune.Rl;

namespace FlowTune.Tests.Rl;

/// <summary>Reading a run's metrics.jsonl back: resumed runs append epochs again, crashed runs leave a tail.</summary>
public sealed class RunLogTests
{
    private static string Epoch(int epoch, double elapsed) =>
        $$"""{"epoch":{{epoch}},"reward_mean":0.5,"reward_std":0.1,"component_means":{"r":0.5},"zero_std_ratio":0,"groups":2,"group_size":4,"trained_samples":8,"images_per_second":1,"sampling_seconds":1,"reward_wait_seconds":0,"training_seconds":1,"elapsed_seconds":{{elapsed}},"first_update_max_ratio_deviation":0,"images":8,"kind":"epoch"}""";

    private static string Eval(int epoch, double overall) =>
        $$"""{"epoch":{{epoch}},"overall":{{overall}},"mean_reward":0.4,"diversity":0.2,"tags":{"colors":{{overall}}},"kind":"eval"}""";

    private static string WriteLog(params string[] lines)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"runlog-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, RunLog.FileName), lines);
        return dir;
    }

    [Fact]
    public void Should_KeepTheLastRecordOfEachEpoch_When_ARunWasResumed()
    {
        // Given: epochs 1–3 ran, the run crashed, resumed from epoch 2's checkpoint and ran epoch 3 again
        var dir = WriteLog(Eval(0, 0.1), Epoch(1, 10), Epoch(2, 20), Eval(2, 0.2), Epoch(3, 30), "", Epoch(3, 31), """{"kind":"update","epoch":3}""");

        // When
        var log = RunLog.Read(dir);

        // Then
        Directory.Delete(dir, true);
        Assert.Equal([1, 2, 3], log.Epochs.Select(e => e.Epoch));
        Assert.Equal(31, log.ElapsedAfter(3));
        Assert.Equal([0, 2], log.Evaluations.Select(e => e.Epoch));
        Assert.Equal(0.2, log.Evaluations[1].Tags["colors"]);
    }

    [Fact]
    public void Should_DropTheInterruptedRunsEvaluations_When_TheirEpochsRanAgain()
    {
        // Given: a time-limited run evaluated after epochs 3 and 4, was killed after 4, and resumed from epoch 2's
        // checkpoint; the resumed run (slower) evaluated after epoch 5 instead
        var dir = WriteLog(Eval(0, 0.1), Epoch(1, 10), Epoch(2, 20), Epoch(3, 30), Eval(3, 0.3), Epoch(4, 40), Eval(4, 0.4),
            Epoch(3, 35), Epoch(4, 45), Epoch(5, 55), Eval(5, 0.5));

        // When
        var log = RunLog.Read(dir);

        // Then: the evaluations after epochs 3 and 4 belong to the interrupted run
        Directory.Delete(dir, true);
        Assert.Equal([0, 5], log.Evaluations.Select(e => e.Epoch));
        Assert.Equal(55, log.ElapsedAfter(5));
    }

    [Fact]
    public void Should_LeaveOutTheTail_When_ReadUpToTheCheckpointEpoch()
    {
        var dir = WriteLog(Epoch(1, 10), Epoch(2, 20), Eval(2, 0.2));

        var log = RunLog.Read(dir, upToEpoch: 1);

        Directory.Delete(dir, true);
        Assert.Equal([1], log.Epochs.Select(e => e.Epoch));
        Assert.Empty(log.Evaluations);
        Assert.Equal(10, log.ElapsedAfter(1));
        Assert.Equal(0, log.ElapsedAfter(2));
    }

    [Fact]
    public void Should_NameTheFileAndLine_When_ALineIsMalformed()
    {
        var dir = WriteLog(Epoch(1, 10), "{\"kind\":\"epoch\",");

        var error = Assert.Throws<InvalidDataException>(() => RunLog.Read(dir));

        Directory.Delete(dir, true);
        Assert.Contains($"{RunLog.FileName}:2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_BeEmpty_When_TheRunHasNoLog()
    {
        var log = RunLog.Read(Path.Combine(Path.GetTempPath(), $"runlog-none-{Guid.NewGuid():N}"));

        Assert.Empty(log.Epochs);
        Assert.Empty(log.Evaluations);
    }
}
