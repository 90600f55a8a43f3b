using System.Diagnostics;
using FlowTune.Cli;
using FlowTune.IO;
using FlowTune.IO.TensorBoard;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Tests.Distributed;

/// <summary>Real processes: the CLI started as the ranks of a Gloo job on loopback (as torchrun would start it).</summary>
[Collection("Serial")]
public sealed class ProcessLaunchTests
{
    private static readonly string[] Pretrain =
        ["pretrain", "--threads", "1", "--preset", "tiny-unet", "--image-size", "16", "--batch", "4", "--seed", "2"];

    /// <summary>Starts <c>dotnet FlowTune.Cli.dll args</c>, with torchrun's variables for (rank, world, port) when world &gt; 1.</summary>
    private static Process Start(IEnumerable<string> args, int rank = 0, int world = 1, int port = 0)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        if (world > 1)
        {
            info.Environment["RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
            info.Environment["LOCAL_RANK"] = info.Environment["RANK"];
            info.Environment["WORLD_SIZE"] = world.ToString(System.Globalization.CultureInfo.InvariantCulture);
            info.Environment["MASTER_ADDR"] = "127.0.0.1";
            info.Environment["MASTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Process.Start(info)!;
    }

    private static (int Code, string Output) Finish(Process p, TimeSpan timeout)
    {
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"process did not exit within {timeout.TotalSeconds} s");
        }
        return (p.ExitCode, output.GetAwaiter().GetResult() + error.GetAwaiter().GetResult());
    }

    private static double RelativeDifference(string expectedFile, string actualFile)
    {
        using var scope = TensorScope.Enter();
        var expected = TensorFile.Load(expectedFile).Tensors;
        var actual = TensorFile.Load(actualFile).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var difference = expected.Sum(p => (actual[p.Key] - p.Value).Square().Sum().Item());
        return Math.Sqrt(difference / expected.Sum(p => p.Value.Square().Sum().Item()));
    }

    [Fact]
    public void Should_MatchOneProcess_When_PretrainingRunsAsTwoProcesses()
    {
        // Given
        var one = Path.Combine(Path.GetTempPath(), $"dp-one-{Guid.NewGuid():N}");
        var two = Path.Combine(Path.GetTempPath(), $"dp-two-{Guid.NewGuid():N}");

        // When: the same 3 steps in one process and through the launcher in two
        var single = Finish(Start([.. Pretrain, "--steps", "3", "--eval-every", "0", "--out", one]), TimeSpan.FromMinutes(2));
        var launched = Finish(Start([.. Pretrain, "--steps", "3", "--eval-every", "0", "--out", two, "--nproc", "2"]), TimeSpan.FromMinutes(2));

        // Then
        Assert.True(single.Code == 0, single.Output);
        Assert.True(launched.Code == 0, launched.Output);
        Assert.Contains("launching 2 ranks", launched.Output);
        Assert.InRange(RelativeDifference(Path.Combine(one, "final", "model.safetensors"), Path.Combine(two, "final", "model.safetensors")), 0, 1e-6);
        // events files are named by the second they were started at: compared by folder and prefix
        static string Named(string relative) => Path.GetFileName(relative).StartsWith(TensorBoardWriter.FilePrefix, StringComparison.Ordinal)
            ? Path.Combine(Path.GetDirectoryName(relative)!, TensorBoardWriter.FilePrefix + "*")
            : relative;
        static string[] Files(string dir) => [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Named(Path.GetRelativePath(dir, f))).Order(StringComparer.Ordinal)];
        Assert.Equal(Files(one), Files(two)); // one rank wrote: the same files as one process
        Assert.Contains(Path.Combine(RunMetricsWriter.TensorBoardFolder, TensorBoardWriter.FilePrefix + "*"), Files(two));
        Directory.Delete(one, true);
        Directory.Delete(two, true);
    }

    [Fact]
    public async Task Should_StopTheOtherRankNamingTheLostOne_When_ARankIsKilled()
    {
        // Given: a long 2-rank run with a checkpoint every 10 steps
        var run = Path.Combine(Path.GetTempPath(), $"dp-kill-{Guid.NewGuid():N}");
        var port = Ranks.FreePort();
        string[] args = [.. Pretrain, "--steps", "1000000", "--out", run];
        var ranks = Enumerable.Range(0, 2).Select(r => Start([.. args, "--eval-every", "10"], r, 2, port)).ToList();
        var rank0Output = ranks[0].StandardOutput.ReadToEndAsync();
        var rank0Error = ranks[0].StandardError.ReadToEndAsync();
        var rank1Output = ranks[1].StandardOutput.ReadToEndAsync();
        var rank1Error = ranks[1].StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!Directory.Exists(Path.Combine(run, "checkpoint_000020")) && waited.Elapsed < TimeSpan.FromMinutes(2) && !ranks[0].HasExited)
        {
            Thread.Sleep(100);
        }

        // When: rank 1 is killed (SIGKILL) mid-run
        ranks[1].Kill();
        var killed = Stopwatch.StartNew();
        var exited = ranks[0].WaitForExit(TimeSpan.FromSeconds(60));
        var seconds = killed.Elapsed.TotalSeconds;
        if (!exited)
        {
            ranks[0].Kill();
        }
        var error = await rank0Error;
        await Task.WhenAll(rank0Output, rank1Output, rank1Error);

        // Then: rank 0 stops within 60 s, non-zero, naming rank 1; the last checkpoint resumes (same world size)
        Assert.True(exited, $"rank 0 still ran 60 s after rank 1 was killed; stderr: {error}");
        Assert.NotEqual(0, ranks[0].ExitCode);
        Assert.Contains("lost rank 1", error);
        var last = Directory.GetDirectories(run, "checkpoint_*").Order(StringComparer.Ordinal).Last();
        var step = int.Parse(Path.GetFileName(last)["checkpoint_".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var resumed = Finish(Start([.. Pretrain, "--steps", (step + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), "--eval-every", "0", "--out", run, "--resume", "--nproc", "2"]),
            TimeSpan.FromMinutes(2));
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains($"resumed from {last}", resumed.Output);
        Assert.InRange(seconds, 0, 60);
        ranks.ForEach(p => p.Dispose());
        Directory.Delete(run, true);
    }
}
