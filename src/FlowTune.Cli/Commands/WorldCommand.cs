using System.CommandLine;
using FlowTune.Evaluation;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Cli.Commands;

/// <summary>
/// <c>flowtune world ...</c>: ground-truth renders, scoring of images on disk, the detector self-test and the prompt
/// files. Images on disk follow GenEval's layout: <c>DIR/NNNNN/samples/KKKK.png</c> for prompt NNNNN of the file.
/// </summary>
public static class WorldCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var command = new Command("world", "Benchmark worlds: ground-truth renders, scoring, self-test, prompt files.");
        command.Subcommands.Add(Render());
        command.Subcommands.Add(Score());
        command.Subcommands.Add(Selftest());
        command.Subcommands.Add(WritePrompts());
        return command;
    }

    private static Command Render()
    {
        var world = CommonOptions.World();
        var prompts = new Option<FileInfo>("--prompts") { Description = "GenEval-format metadata (JSONL).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (GenEval layout + grid.png).", Required = true };
        var samples = new Option<int>("--samples") { Description = "Images per prompt.", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--image-size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "Seed of the scenes.", DefaultValueFactory = _ => 0 };
        var command = new Command("render", "Render ground-truth images for every prompt of a metadata file.");
        foreach (var o in new Option[] { world, prompts, output, samples, size, seed })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var w = WorldRegistry.Get(parse.GetValue(world)!);
            var entries = CommonOptions.LoadPrompts(parse.GetValue(prompts), w, test: true);
            var options = new GroundTruthRenderOptions { SamplesPerPrompt = parse.GetValue(samples), ImageSize = parse.GetValue(size), Seed = parse.GetValue(seed) };
            var dir = parse.GetValue(output)!.FullName;
            GroundTruthFolder.Write(w, entries, dir, options);
            Console.WriteLine($"rendered {entries.Count} prompts × {options.SamplesPerPrompt} images into {dir} (first image of up to {options.GridPrompts} prompts in grid.png)");
            return CliApp.Ok;
        });
        return command;
    }

    private static Command Score()
    {
        var world = CommonOptions.World();
        var images = new Option<DirectoryInfo>("--images") { Description = "Folder in GenEval layout (NNNNN/samples/*.png).", Required = true };
        var prompts = new Option<FileInfo>("--prompts") { Description = "The metadata file the images were made for.", Required = true };
        var command = new Command("score", "Score images on disk against their prompts: per-tag strict accuracy and mean reward.");
        foreach (var o in new Option[] { world, images, prompts })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var w = WorldRegistry.Get(parse.GetValue(world)!);
            var entries = CommonOptions.LoadPrompts(parse.GetValue(prompts), w, test: true);
            var report = ImageFolderScore.Measure(parse.GetValue(images)!.FullName, entries, w.Judge());
            Console.WriteLine(report.Accuracy.Format());
            Console.WriteLine(FormattableString.Invariant($"mean reward {report.MeanReward:F4} over {report.Images} images"));
            return CliApp.Ok;
        });
        return command;
    }

    private static Command Selftest()
    {
        var renders = new Option<int>("--renders") { Description = "Fresh scenes for the exact-recovery figure.", DefaultValueFactory = _ => 10_000 };
        var perPrompt = new Option<int>("--images-per-prompt") { Description = "Ground-truth renders per test prompt.", DefaultValueFactory = _ => 20 };
        var command = new Command("selftest", "Measure the shapes detector and judge: exact scene recovery, accuracy of ground truth, wrong prompts and noise.");
        command.Options.Add(renders);
        command.Options.Add(perPrompt);
        command.SetAction(parse =>
        {
            ShapesSelftest.Run(parse.GetValue(renders), parse.GetValue(perPrompt), Console.Out);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command WritePrompts()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for train_metadata.jsonl and test_metadata.jsonl.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the split.", DefaultValueFactory = _ => new ShapesPromptSplit().Seed };
        var command = new Command("prompts", "Write the shapes world's train and test prompt files (disjoint, balanced over tags).");
        command.Options.Add(output);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(dir);
            var (train, test) = new ShapesPromptSplit { Seed = parse.GetValue(seed) }.Generate();
            GenEvalMetadata.WriteFile(Path.Combine(dir, "train_metadata.jsonl"), train);
            GenEvalMetadata.WriteFile(Path.Combine(dir, "test_metadata.jsonl"), test);
            Console.WriteLine($"wrote {train.Count} train and {test.Count} test prompts to {dir}");
            return CliApp.Ok;
        });
        return command;
    }
}
