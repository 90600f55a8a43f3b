using System.CommandLine;
using System.Globalization;
using FlowTune.IO;
using FlowTune.Imaging;
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
            var n = parse.GetValue(samples);
            if (n < 1)
            {
                throw new ArgumentException($"--samples must be >= 1, got {n}");
            }
            var dir = parse.GetValue(output)!.FullName;
            var grid = new List<RgbImage>();
            for (var p = 0; p < entries.Count; p++)
            {
                var folder = Path.Combine(dir, p.ToString("D5", CultureInfo.InvariantCulture));
                Directory.CreateDirectory(Path.Combine(folder, "samples"));
                GenEvalMetadata.WriteFile(Path.Combine(folder, "metadata.jsonl"), [entries[p]]);
                for (var k = 0; k < n; k++)
                {
                    var image = w.RenderGroundTruth(entries[p], parse.GetValue(size), RandomExtensions.DeriveSeed(parse.GetValue(seed), p * 1000L + k));
                    PngWriter.WriteFile(Path.Combine(folder, "samples", k.ToString("D4", CultureInfo.InvariantCulture) + ".png"), image);
                    if (grid.Count < 64 && k == 0)
                    {
                        grid.Add(image);
                    }
                }
            }
            PngGridWriter.WriteFile(Path.Combine(dir, "grid.png"), grid, columns: 8);
            Console.WriteLine($"rendered {entries.Count} prompts × {n} images into {dir} (first image of up to 64 prompts in grid.png)");
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
            var report = ScoreFolder(parse.GetValue(images)!.FullName, entries, w.Judge());
            Console.WriteLine(report.Accuracy.Format());
            Console.WriteLine(FormattableString.Invariant($"mean reward {report.MeanReward:F4} over {report.Images} images"));
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Scores a GenEval-layout folder; every prompt must have at least one image.</summary>
    public static (GenEvalAccuracy Accuracy, double MeanReward, int Images) ScoreFolder(string directory, IReadOnlyList<GenEvalEntry> entries, IImageJudge judge)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(judge);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"image folder not found: {directory}");
        }
        var accuracy = new GenEvalAccuracy();
        double reward = 0;
        var count = 0;
        for (var p = 0; p < entries.Count; p++)
        {
            var samples = Path.Combine(directory, p.ToString("D5", CultureInfo.InvariantCulture), "samples");
            var files = Directory.Exists(samples) ? Directory.GetFiles(samples, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
            if (files.Length == 0)
            {
                throw new InvalidDataException($"{samples}: no PNG images for prompt {p} ('{entries[p].Prompt}')");
            }
            foreach (var file in files)
            {
                RgbImage image;
                try
                {
                    image = PngReader.ReadFile(file);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{file}: {e.Message}", e);
                }
                var score = judge.Score(image, entries[p]);
                accuracy.Add(entries[p].Tag, score.Correct);
                reward += score.Reward;
                count++;
            }
        }
        return (accuracy, reward / count, count);
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
