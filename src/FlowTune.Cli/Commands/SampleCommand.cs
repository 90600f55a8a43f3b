using System.CommandLine;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Worlds;

namespace FlowTune.Cli.Commands;

/// <summary><c>flowtune sample</c>: a grid of images for one prompt (ODE sampler, CFG, seeded).</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var d = new OdeSamplerOptions();
        var checkpoint = CommonOptions.Checkpoint();
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeat for several; each fills its own row).", Required = true, AllowMultipleArgumentsPerToken = false };
        var n = new Option<int>("--n") { Description = "Images per prompt.", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "ODE steps.", DefaultValueFactory = _ => d.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => d.GuidanceScale };
        var shift = new Option<double>("--shift") { Description = "Time shift of the grid.", DefaultValueFactory = _ => d.Shift };
        var seed = new Option<int>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out") { Description = "Output PNG grid.", Required = true };
        var scale = new Option<int>("--scale") { Description = "Enlarge each image by this integer factor (nearest neighbour) for viewing.", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Sample images for prompts with the ODE sampler and write a PNG grid.");
        foreach (var o in new Option[] { checkpoint, prompt, n, steps, cfg, shift, seed, output, scale })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            var count = parse.GetValue(n);
            if (count < 1)
            {
                throw new ArgumentException($"--n must be >= 1, got {count}");
            }
            using var model = ModelCheckpoint.Load(parse.GetValue(checkpoint)!.FullName);
            var prompts = parse.GetValue(prompt)!.SelectMany(p => Enumerable.Repeat(p, count)).ToList();
            using var generator = new Generator((ulong)parse.GetValue(seed));
            var options = d with { Steps = parse.GetValue(steps), GuidanceScale = parse.GetValue(cfg), Shift = parse.GetValue(shift) };
            using var pixels = OdeSampler.Sample(model, prompts, options, generator);
            var file = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var factor = parse.GetValue(scale);
            var images = ImageTensors.ToImages(pixels).Select(i => factor > 1 ? i.Upscale(factor) : i).ToList();
            PngGridWriter.WriteFile(file, images, columns: Math.Min(count, 16));
            Console.WriteLine($"wrote {prompts.Count} images to {file}");
            return CliApp.Ok;
        });
        return command;
    }
}
