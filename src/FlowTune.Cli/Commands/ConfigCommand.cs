using System.CommandLine;
using FlowTune.Rl.Config;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune config check FILE</c>: validates an RL config and prints it resolved, without running anything.</summary>
public static class ConfigCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "RL config (YAML), e.g. configs/shapes-grpo.yaml." };
        var check = new Command("check", "Validate a config (types, unknown keys, ranges, conflicts, missing files: every problem at once) and print it resolved, with every default filled in.");
        check.Arguments.Add(file);
        check.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            var config = RlConfigLoader.Load(path, checkFiles: true);
            Console.WriteLine($"# {path}: valid; resolved with every default ({config.ImagesPerEpoch} images per epoch)");
            Console.Write(RlConfigLoader.ToYaml(config));
            return CliApp.Ok;
        });
        var command = new Command("config", "Work with RL config files.");
        command.Subcommands.Add(check);
        return command;
    }
}
