using FlowTune.Cli.Progress;
using FlowTune.Common;
using System.CommandLine;
using FlowTune.Evaluation;
using FlowTune.Models;
using FlowTune.Worlds;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune eval</c>: GenEval-style per-tag strict accuracy of a model checkpoint.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var d = new EvalOptions();
        var checkpoint = CommonOptions.Checkpoint();
        var world = CommonOptions.World();
        var prompts = CommonOptions.Prompts("GenEval-format metadata (default: the world's test split). Any GenEval file is accepted.");
        var steps = new Option<int>("--steps") { Description = "ODE steps.", DefaultValueFactory = _ => d.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => d.GuidanceScale };
        var perPrompt = new Option<int>("--samples-per-prompt") { Description = "Images per prompt.", DefaultValueFactory = _ => d.SamplesPerPrompt };
        var minPerTag = new Option<int>("--min-images-per-tag") { Description = "Raise samples for tags with few prompts so each tag has at least this many images.", DefaultValueFactory = _ => d.MinImagesPerTag };
        var seed = new Option<int>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => d.Seed };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for eval.json and per-tag grids (default: CHECKPOINT/eval)." };
        var binding = new Option<bool>("--binding-report") { Description = "Also report binding (issue 19's protocol): position and colour attribution 'both objects drawn' and 'bound right when both drawn', on all test prompts and on those whose mirror image is a train prompt, with chance levels (binding.json)." };
        var trainPrompts = new Option<FileInfo?>("--train-prompts") { Description = "With --binding-report: the prompts the model was trained on, for the mirrored keys (default: the world's train split)." };
        var command = new Command("eval", "Evaluate a checkpoint: per-tag and overall strict accuracy (GenEval), mean reward, diversity.");
        foreach (var o in new Option[] { checkpoint, world, prompts, steps, cfg, perPrompt, minPerTag, seed, output, binding, trainPrompts })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var w = WorldRegistry.Get(parse.GetValue(world)!);
            var entries = CommonOptions.LoadPrompts(parse.GetValue(prompts), w, test: true);
            var dir = parse.GetValue(checkpoint)!.FullName;
            using var model = PolicyNetworks.Load(dir);
            var options = d with
            {
                Steps = parse.GetValue(steps),
                GuidanceScale = parse.GetValue(cfg),
                SamplesPerPrompt = parse.GetValue(perPrompt),
                MinImagesPerTag = parse.GetValue(minPerTag),
                Seed = parse.GetValue(seed),
            };
            var outDir = parse.GetValue(output)?.FullName ?? Path.Combine(dir, "eval");
            return ConsoleProgress.Run((progress, log) =>
            {
                log.WriteLine($"evaluating {dir} on {entries.Count} prompts ({options.Steps} steps, CFG {options.GuidanceScale})");
                var judge = w.Judge();
                var report = Evaluator.Run(model, entries, judge, options, outDir, progress);
                log.WriteLine(report.Format());
                if (parse.GetValue(binding))
                {
                    var train = CommonOptions.LoadPrompts(parse.GetValue(trainPrompts), w, test: false);
                    var bindingReport = BindingReport.Compute(entries, train, report.Results, w, judge, (int)model.SampleShape[^1]);
                    IO.Json.Write(Path.Combine(outDir, "binding.json"), bindingReport);
                    log.WriteLine(bindingReport.Format());
                }
                log.WriteLine($"report and grids: {outDir}");
                return CliApp.Ok;
            }, plain: new LineProgress(Console.Out));
        });
        return command;
    }
}
