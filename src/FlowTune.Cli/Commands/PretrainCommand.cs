using FlowTune.Cli.Progress;
using System.CommandLine;
using FlowTune.Cli.Launch;
using FlowTune.Common;
using FlowTune.Distributed;
using FlowTune.Evaluation;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Training;
using FlowTune.Worlds;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune pretrain</c>: rectified-flow pretraining of a base model on a world's renders.</summary>
public static class PretrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var defaults = new PretrainOptions();
        var world = CommonOptions.World();
        var output = new Option<DirectoryInfo>("--out") { Description = "Run directory (checkpoints, metrics, final model).", Required = true };
        var prompts = CommonOptions.Prompts("Training prompts (GenEval JSONL; default: the world's train split).");
        var evalPrompts = new Option<FileInfo?>("--eval-prompts") { Description = "Prompts of the periodic evaluation (default: the world's test split)." };
        var preset = new Option<string>("--preset") { Description = $"Model preset ({string.Join(", ", ModelPresets.Names)}).", DefaultValueFactory = _ => defaults.Preset };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => defaults.MaxSteps };
        var minutes = new Option<double>("--minutes") { Description = "Stop after this many minutes of training (0 = no limit).", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, data and noise.", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--image-size") { Description = "Image side in pixels.", DefaultValueFactory = _ => defaults.ImageSize };
        var evalEvery = new Option<int>("--eval-every") { Description = "Quick evaluation + checkpoint every N steps (0 = only at the end).", DefaultValueFactory = _ => defaults.EvalEvery };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out." };
        var initFrom = new Option<DirectoryInfo?>("--init-from") { Description = "Start from this model's weights, architecture and vocabulary (e.g. models/shapes-base); --preset is ignored." };
        var captionLabels = new Option<double>("--caption-labels") { Description = "Weight of the caption-structure loss: the text encoder's noun tokens learn to predict their colour, count and spatial role (0 = off).", DefaultValueFactory = _ => defaults.CaptionLabelWeight };
        var addPosition = new Option<int>("--add-position-features") { Description = "With --init-from: add this many position features to the U-Net's attention (zero-initialised, so training starts from the source model's function).", DefaultValueFactory = _ => 0 };
        var tagWeights = new Option<string?>("--tag-weights") { Description = "Relative weight of each tag in the training draw, e.g. position=3,color_attr=3 (others weigh 1)." };
        var textOnly = new Option<bool>("--text-only") { Description = "Train only the text encoder on the caption-structure loss (needs --caption-labels): the language stage of a frozen-encoder recipe." };
        var textFrom = new Option<DirectoryInfo?>("--text-encoder-from") { Description = "Start the text encoder from this model folder's (e.g. a --text-only run's final/); the image network is the preset's, fresh." };
        var freezeText = new Option<bool>("--freeze-text") { Description = "Keep the text encoder fixed (no gradients): an image model trained on a frozen encoder." };
        var export = new Option<DirectoryInfo?>("--export") { Description = "Also copy the final EMA model here (e.g. models/shapes-base)." };
        var distributed = new DistributedOptions();
        var command = new Command("pretrain", "Pretrain a text-to-image flow model on a world's ground-truth renders (rectified flow).");
        distributed.AddTo(command);
        foreach (var o in new Option[] { world, output, prompts, evalPrompts, preset, steps, minutes, batch, lr, seed, size, evalEvery, resume, initFrom, captionLabels, addPosition, tagWeights, textOnly, textFrom, freezeText, export })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            if (distributed.LaunchIfAsked(parse) is { } launched)
            {
                return launched;
            }
            var options = defaults with
            {
                Preset = parse.GetValue(preset)!,
                MaxSteps = parse.GetValue(steps),
                MaxMinutes = parse.GetValue(minutes),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                ImageSize = parse.GetValue(size),
                EvalEvery = parse.GetValue(evalEvery),
                CheckpointEvery = Math.Max(1, parse.GetValue(evalEvery) > 0 ? parse.GetValue(evalEvery) : defaults.CheckpointEvery),
                InitFrom = parse.GetValue(initFrom)?.FullName,
                CaptionLabelWeight = parse.GetValue(captionLabels),
                AddPositionFeatures = parse.GetValue(addPosition),
                TagWeights = ParseTagWeights(parse.GetValue(tagWeights)),
                TextOnly = parse.GetValue(textOnly),
                TextEncoderFrom = parse.GetValue(textFrom)?.FullName,
                FreezeText = parse.GetValue(freezeText),
            };
            ThrowIfProblems(options, parse.GetValue(world)!, [("--prompts", parse.GetValue(prompts)), ("--eval-prompts", parse.GetValue(evalPrompts))]);
            var w = WorldRegistry.Get(parse.GetValue(world)!);
            var train = CommonOptions.LoadPrompts(parse.GetValue(prompts), w, test: false);
            var test = CommonOptions.LoadPrompts(parse.GetValue(evalPrompts), w, test: true);
            var outDir = parse.GetValue(output)!.FullName;
            using var parallel = distributed.Join(parse);
            var code = Run(options, w, train, test, outDir, parse.GetValue(resume), parallel);
            if (parallel.IsMain && parse.GetValue(export) is { } target)
            {
                Folders.CopyFiles(Path.Combine(outDir, "final"), target.FullName);
                Console.WriteLine($"exported the final model to {target.FullName}");
            }
            return code;
        });
        return command;
    }

    /// <summary>"position=3,color_attr=3" as a map; a malformed entry is an error naming it.</summary>
    private static Dictionary<string, double> ParseTagWeights(string? text)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w))
            {
                throw new ConfigException("pretraining options", [new ConfigProblem("command line", null, "--tag-weights", part, "expected tag=weight, e.g. position=3")]);
            }
            weights[kv[0]] = w;
        }
        return weights;
    }

    /// <summary>The option each pretraining field is set by (fields without one keep their defaults).</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["image_size"] = "--image-size", ["batch_size"] = "--batch", ["learning_rate"] = "--lr", ["max_steps"] = "--steps",
        ["max_minutes"] = "--minutes", ["eval_every"] = "--eval-every", ["checkpoint_every"] = "--eval-every",
        ["caption_label_weight"] = "--caption-labels", ["init_from"] = "--init-from", ["add_position_features"] = "--add-position-features",
        ["tag_weights"] = "--tag-weights", ["text_only"] = "--text-only", ["text_encoder_from"] = "--text-encoder-from", ["freeze_text"] = "--freeze-text",
    };

    /// <summary>Every problem of the options at once (bad values, unknown names, missing files), each naming its option.</summary>
    private static void ThrowIfProblems(PretrainOptions options, string world, (string Flag, FileInfo? File)[] files)
    {
        const string source = "command line";
        var problems = new List<ConfigProblem>();
        foreach (var message in options.Validate())
        {
            problems.Add(ConfigProblem.Split(message) is { } split
                ? new ConfigProblem(source, null, Flags.GetValueOrDefault(split.Path, split.Path), split.Value, split.Expected)
                : new ConfigProblem(source, null, "(options)", null, message));
        }
        if (options.InitFrom is null && !ModelPresets.Names.Contains(options.Preset))
        {
            problems.Add(new ConfigProblem(source, null, "--preset", options.Preset, $"expected one of: {string.Join(", ", ModelPresets.Names)}"));
        }
        if (!WorldRegistry.Names.Contains(world))
        {
            problems.Add(new ConfigProblem(source, null, "--world", world, $"expected one of: {string.Join(", ", WorldRegistry.Names)}"));
        }
        foreach (var (flag, file) in files)
        {
            if (file is { Exists: false })
            {
                problems.Add(new ConfigProblem(source, null, flag, file.FullName, "no such prompt file"));
            }
        }
        if (problems.Count > 0)
        {
            throw new ConfigException("pretraining options", problems);
        }
    }

    private static int Run(PretrainOptions options, IWorld world, IReadOnlyList<GenEvalEntry> train, IReadOnlyList<GenEvalEntry> test, string outDir, bool resume,
        DataParallel parallel)
    {
        using var quick = new PretrainQuickEvaluation(test, world.Judge(), options.EvalPromptsPerTag, outDir);
        return ConsoleProgress.Run((progress, log) =>
        {
            var trainer = new Pretrainer(options, world.TrainingSource(train, options.ImageSize, options.TagWeights), outDir, log)
            {
                Parallel = parallel,
                Progress = progress,
                Evaluate = (step, model, trainSeconds, metrics) =>
                {
                    var result = quick.Evaluate(step, model, trainSeconds, metrics);
                    log.WriteLine($"  quick eval at step {result.Step} ({result.Report.Images} images, {quick.Options.Steps} steps, CFG {quick.Options.GuidanceScale:G}):");
                    log.WriteLine(Indent(result.Report.Format()));
                },
            };
            using var cts = CommonOptions.CancelOnCtrlC(log);
            trainer.Run(resume, cts.Token);
            return CliApp.Ok;
        });
    }

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split(Environment.NewLine).Select(l => "    " + l));
}
