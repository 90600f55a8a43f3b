using FlowTune.Cli;

namespace FlowTune.Tests.Cli;

/// <summary><c>flowtune config check</c> and how config problems reach the user: every one at once, exit code 2, no .NET names.</summary>
[Collection("Serial")]
public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Should_ListEveryProblemAndExitWithUsageError_When_TheConfigHasSeveral()
    {
        // Given
        var dir = Directory.CreateTempSubdirectory("config-check-").FullName;
        var file = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(file, "objective:\n  clip_range: -1\n  beta: abc\ntrain:\n  learning_rate: 0\n  foo: 1\n");

        // When
        var (code, output, error) = await Run(["config", "check", file]);

        // Then
        Assert.Equal(CliApp.UsageError, code);
        Assert.Equal("", output);
        Assert.Contains($"{file}:2: objective.clip_range: -1: must be positive", error, StringComparison.Ordinal);
        Assert.Contains($"{file}:3: objective.beta: abc: expected a number", error, StringComparison.Ordinal);
        Assert.Contains($"{file}:5: train.learning_rate: 0: must be positive", error, StringComparison.Ordinal);
        Assert.Contains($"{file}:6: train.foo: unknown key", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Should_PrintTheResolvedConfig_When_TheConfigIsValid()
    {
        // Given: a config that sets two fields; the model folder exists relative to the repository root
        var dir = Directory.CreateTempSubdirectory("config-check-").FullName;
        var file = Path.Combine(dir, "ok.yaml");
        File.WriteAllText(file, $"seed: 5\npretrained:\n  model: {Path.Combine(RepoPaths.Root, "models", "shapes-base")}\nobjective:\n  name: nft\n");

        // When
        var (code, output, _) = await Run(["config", "check", file]);

        // Then: the defaults are filled in and it reads back as the same config
        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("seed: 5", output, StringComparison.Ordinal);
        Assert.Contains("num_epochs: 100", output, StringComparison.Ordinal);
        Assert.Contains("name: nft", output, StringComparison.Ordinal);
        Assert.Equal(5, FlowTune.Rl.Config.RlConfigLoader.Parse(output).Seed);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Should_NameTheFolder_When_TrainIsGivenABaseModelThatDoesNotExist()
    {
        // Given
        var missing = Path.Combine(Path.GetTempPath(), $"no-model-{Guid.NewGuid():N}");
        var dir = Directory.CreateTempSubdirectory("base-model-").FullName;
        var config = Path.Combine(dir, "ok.yaml");
        File.WriteAllText(config, $"pretrained:\n  model: {Path.Combine(RepoPaths.Root, "models", "shapes-base")}\n");

        // When
        var (code, _, error) = await Run(["train", "--config", config, "--base-model", missing, "--epochs", "1", "--out", missing + "-run"]);

        // Then: nothing ran
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains($"--base-model: {missing}: an existing model folder", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing + "-run"));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Should_ReplaceOnlyTheBaseModel_When_ABaseModelIsGiven()
    {
        // Given
        var config = FlowTune.Rl.Config.RlConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "shapes-nft-pilot.yaml"), checkFiles: false);
        var folder = Directory.CreateTempSubdirectory("base-model-").FullName;

        // When
        var overridden = FlowTune.Cli.Commands.CommonOptions.WithBaseModel(config, folder);

        // Then
        Assert.Equal(folder, overridden.Pretrained.Model);
        Assert.Equal(config with { Pretrained = config.Pretrained with { Model = folder } }, overridden);
        Assert.Same(config, FlowTune.Cli.Commands.CommonOptions.WithBaseModel(config, null));
        Directory.Delete(folder);
    }

    [Fact]
    public async Task Should_ListEveryBadOption_When_PretrainIsGivenSeveral()
    {
        // When
        var (code, _, error) = await Run(["pretrain", "--out", Path.Combine(Path.GetTempPath(), "never-written"), "--lr", "0", "--batch", "0", "--preset", "no-such", "--prompts", "/no/such/prompts.jsonl"]);

        // Then
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("command line: --lr: 0: must be positive", error, StringComparison.Ordinal);
        Assert.Contains("command line: --batch: 0: must be >= 1", error, StringComparison.Ordinal);
        Assert.Contains("command line: --preset: no-such: expected one of:", error, StringComparison.Ordinal);
        Assert.Contains("command line: --prompts: /no/such/prompts.jsonl: no such prompt file", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await CliApp.RunAsync(args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
