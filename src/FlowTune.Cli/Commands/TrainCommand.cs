using FlowTune.Cli.Progress;
using FlowTune.Cli.Launch;
using System.CommandLine;
using FlowTune.Rl.Reporting;
using FlowTune.Rl;
using FlowTune.Rl.Config;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune train --config FILE.yaml</c>: online RL from a base model; ends with the run's report.html.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Run config (YAML), e.g. configs/shapes-grpo.yaml.", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Run directory (default: runs/<config name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in the run directory." };
        var epochs = new Option<int?>("--epochs") { Description = "Override num_epochs." };
        var minutes = new Option<double?>("--minutes") { Description = "Override max_train_minutes: stop after the epoch that passes this much training time (evaluations not counted)." };
        var baseModel = CommonOptions.BaseModel();
        var command = new Command("train", "Online RL (Flow-GRPO, NFT, SuperFlow: whatever the config names) of a pretrained flow model against a reward.");
        command.Options.Add(config);
        command.Options.Add(output);
        command.Options.Add(resume);
        command.Options.Add(epochs);
        command.Options.Add(minutes);
        command.Options.Add(baseModel);
        var distributed = new DistributedOptions();
        distributed.AddTo(command);
        command.SetAction(parse =>
        {
            if (distributed.LaunchIfAsked(parse) is { } launched)
            {
                return launched;
            }
            var file = parse.GetValue(config)!;
            var loaded = RlConfigLoader.Load(file.FullName, checkFiles: true, c => CommonOptions.WithBaseModel(c, parse.GetValue(baseModel)));
            if (parse.GetValue(epochs) is { } n)
            {
                loaded = loaded with { NumEpochs = n };
            }
            if (parse.GetValue(minutes) is { } m)
            {
                loaded = loaded with { MaxTrainMinutes = m };
            }
            var dir = parse.GetValue(output)?.FullName ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(file.Name));
            using var parallel = distributed.Join(parse);
            return ConsoleProgress.Run((progress, log) =>
            {
                using var cts = CommonOptions.CancelOnCtrlC(log);
                var trainer = new RlTrainer(loaded, dir, log) { Parallel = parallel, Progress = progress };
                trainer.Run(parse.GetValue(resume), cts.Token);
                if (parallel.IsMain && File.Exists(Path.Combine(dir, RunLog.FileName)))
                {
                    log.WriteLine($"report: {RunReport.Write(dir)}");
                }
                if (trainer.Evaluations.Count >= 2)
                {
                    log.WriteLine($"accuracy before: {trainer.Evaluations[0].Report.Overall:P1}   after: {trainer.Evaluations[^1].Report.Overall:P1}");
                }
                return CliApp.Ok;
            });
        });
        return command;
    }
}
