using System.CommandLine;
using FlowTune.Cli;
using FlowTune.Torch;

namespace FlowTune.Tests.Cli;

/// <summary>
/// The global options take effect in one place, before any command runs. These tests change libtorch's process-wide
/// thread count, so they run in the serial collection and put it back.
/// </summary>
[Collection("Serial")]
public sealed class GlobalOptionsTests
{
    private static readonly string Missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}");

    /// <summary>
    /// One invocation of every command, cheap to run: most stop at a missing input file or a bad value after the
    /// command has started, which is after the global options were applied.
    /// </summary>
    private static readonly Dictionary<string, string[]> Invocations = new()
    {
        ["inspect"] = ["inspect", Missing + ".safetensors"],
        ["bench ops"] = ["bench", "ops", "--runs", "0"],
        ["bench model"] = ["bench", "model", "--preset", "no-such-preset"],
        ["bench rl"] = ["bench", "rl", "--config", "no-such-config.yaml"],
        ["bench sd3-memory"] = ["bench", "sd3-memory", "--size", "7"],
        ["pretrain"] = ["pretrain", "--out", Missing, "--preset", "no-such-preset"],
        ["world render"] = ["world", "render", "--prompts", Missing + ".jsonl", "--out", Missing],
        ["world score"] = ["world", "score", "--images", Missing, "--prompts", Missing + ".jsonl"],
        ["world selftest"] = ["world", "selftest", "--renders", "5", "--images-per-prompt", "1"],
        ["world prompts"] = ["world", "prompts", "--out", Path.Combine(Missing + ".txt", "sub")],
        ["sample"] = ["sample", "--checkpoint", Missing, "--prompt", "a circle", "--out", Missing + ".png"],
        ["eval"] = ["eval", "--checkpoint", Missing],
        ["train"] = ["train", "--config", Missing + ".yaml"],
        ["sde-step"] = ["sde-step", "--input", Missing + ".safetensors", "--output", Missing + ".out.safetensors"],
        ["compare"] = ["compare", "--configs", Missing + ".yaml", "--budget", "1", "--out", Missing],
        ["report"] = ["report", Missing],
        ["text-diff"] = ["text-diff", "--checkpoint", Missing, "a circle", "a square"],
        ["interop transformer"] = ["interop", "transformer", "--model", Missing, "--input", Missing + ".safetensors", "--output", Missing + ".out.safetensors"],
        ["interop text"] = ["interop", "text", "--model", Missing, "--prompts", Missing + ".txt", "--output", Missing + ".out.safetensors"],
        ["dist check"] = ["dist", "check", "--rounds", "0"],
        ["config check"] = ["config", "check", Missing + ".yaml"],
        ["interop vae"] = ["interop", "vae", "--model", Missing, "--input", Missing + ".safetensors", "--output", Missing + ".out.safetensors"],
    };

    public static TheoryData<string> Commands() => [.. Invocations.Keys];

    [Fact]
    public void Should_HaveAnInvocationForEveryCommand_When_TheCommandTreeIsBuilt()
    {
        // When
        var leaves = Leaves(CliApp.Build(), "").Order(StringComparer.Ordinal).ToList();

        // Then: a new command must be added to Invocations (and so to the --threads check)
        Assert.Equal(leaves, Invocations.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Should_SetLibtorchThreads_When_AnyCommandRunsWithThreads(string command)
    {
        // Given: a thread count different from the one in force
        var before = TorchRuntime.NumThreads;
        var wanted = before == 1 ? 2 : 1;
        File.WriteAllText(Missing + ".txt", "a file, so that a folder below it cannot be created");
        try
        {
            // When
            await CliApp.RunAsync([.. Invocations[command], "--threads", wanted.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

            // Then: the command line parsed (a parse error returns before anything is applied) and libtorch runs
            // with the requested threads
            Assert.Equal(wanted, TorchRuntime.NumThreads);
        }
        finally
        {
            TorchRuntime.NumThreads = before;
            File.Delete(Missing + ".txt");
        }
    }

    [Fact]
    public async Task Should_ReturnUsageErrorAndKeepThreads_When_ThreadsIsNotPositive()
    {
        // Given
        var before = TorchRuntime.NumThreads;
        var ran = false;

        // When
        var code = await CliApp.RunAsync(["sde-step", "--input", Missing, "--output", Missing, "--threads", "0"], options =>
        {
            ran = true;
            options.ApplyToRuntime();
        });

        // Then
        Assert.True(ran);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Equal(before, TorchRuntime.NumThreads);
    }

    [Fact]
    public async Task Should_ApplyGlobalOptionsOnceBeforeTheCommand_When_Dispatching()
    {
        // Given: a seam that records what it is given and stops the run before the command starts
        var applied = new List<GlobalOptions>();

        // When
        var code = await CliApp.RunAsync(["world", "prompts", "--out", Missing, "--threads", "3", "--verbose"], options =>
        {
            applied.Add(options);
            throw new InvalidOperationException("stop before the command");
        });

        // Then: applied exactly once, and the command never ran (it would have written the prompt files)
        Assert.Equal(CliApp.RuntimeError, code);
        Assert.Equal([new GlobalOptions { Threads = 3, Verbose = true }], applied);
        Assert.False(Directory.Exists(Missing));
    }

    [Theory]
    [InlineData("gpu", "unknown device 'gpu'")]
    [InlineData("cuda:x", "bad device 'cuda:x'")]
    public async Task Should_ReturnUsageErrorNamingTheDevice_When_DeviceIsInvalid(string device, string expected)
    {
        // Given
        var ran = false;
        IReadOnlyList<string> problems = [];

        // When
        var code = await CliApp.RunAsync(["sde-step", "--input", Missing, "--output", Missing, "--device", device], options =>
        {
            ran = true;
            problems = options.Validate();
            options.ApplyToRuntime();
        });

        // Then
        Assert.True(ran);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Equal([$"--device: {expected} (expected cpu, cuda or cuda:N)"], problems);
        Assert.Equal(Device.Cpu, TorchRuntime.DefaultDevice);
    }

    [Fact]
    public void Should_ReadTheDevice_When_DeviceIsGiven()
    {
        // When
        var options = GlobalOptions.From(CliApp.Build().Parse(["eval", "--checkpoint", Missing, "--device", "cpu"]));

        // Then
        Assert.Equal(new GlobalOptions { Device = "cpu" }, options);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Should_LeaveThreadsUnset_When_TheOptionIsAbsent()
    {
        // When
        var options = GlobalOptions.From(CliApp.Build().Parse(["eval", "--checkpoint", Missing]));

        // Then
        Assert.Equal(new GlobalOptions(), options);
        Assert.Empty(options.Validate());
    }

    private static IEnumerable<string> Leaves(Command command, string path)
    {
        if (command.Subcommands.Count == 0)
        {
            yield return path;
            yield break;
        }
        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}"))
            {
                yield return leaf;
            }
        }
    }
}
