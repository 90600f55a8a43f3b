using System.CommandLine;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Models.Sd3;
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
        var checkpoint = new Option<DirectoryInfo?>("--checkpoint") { Description = "A FlowTune model folder (model.json + model.safetensors), e.g. models/shapes-base." };
        var pipeline = new Option<DirectoryInfo?>("--model") { Description = "A diffusers StableDiffusion3Pipeline folder (model_index.json, transformer/, vae/, text encoders, tokenizers, scheduler/), or an SD3 policy folder an RL run wrote (policy.json); instead of --checkpoint." };
        var height = new Option<int?>("--height") { Description = "With --model: image height in pixels (default: the transformer's sample_size × the VAE scale)." };
        var width = new Option<int?>("--width") { Description = "With --model: image width in pixels (default as --height)." };
        var noT5 = new Option<bool>("--no-t5") { Description = "With --model: leave T5 out (its part of the prompt embedding is zeros), as diffusers' text_encoder_3=None." };
        var precision = new Option<MixedPrecision>("--mixed-precision") { Description = "With --model: no, bf16 or fp16 (CUDA): 16-bit weights and autocast, float32 outputs.", DefaultValueFactory = _ => MixedPrecision.No };
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeat for several; each fills its own row).", Required = true, AllowMultipleArgumentsPerToken = false };
        var n = new Option<int>("--n") { Description = "Images per prompt.", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "ODE steps.", DefaultValueFactory = _ => d.Steps };
        var cfg = new Option<double>("--cfg") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => d.GuidanceScale };
        var shift = new Option<double>("--shift") { Description = "Time shift of the grid.", DefaultValueFactory = _ => d.Shift };
        var seed = new Option<int>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out") { Description = "Output PNG grid.", Required = true };
        var scale = new Option<int>("--scale") { Description = "Enlarge each image by this integer factor (nearest neighbour) for viewing.", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Sample images for prompts with the ODE sampler and write a PNG grid (a FlowTune checkpoint or an SD3 pipeline folder).");
        foreach (var o in new Option[] { checkpoint, pipeline, height, width, noT5, precision, prompt, n, steps, cfg, shift, seed, output, scale })
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
            var folder = parse.GetValue(checkpoint);
            var sd3 = parse.GetValue(pipeline);
            if ((folder is null) == (sd3 is null))
            {
                throw new ArgumentException("give exactly one of --checkpoint (a FlowTune model) and --model (an SD3 pipeline folder)");
            }
            var loading = System.Diagnostics.Stopwatch.StartNew();
            using IDisposable owner = sd3 is null
                ? ModelCheckpoint.Load(folder!.FullName)
                : PolicyNetworks.Load(sd3.FullName, new Sd3PipelineOptions { Height = parse.GetValue(height), Width = parse.GetValue(width), LoadT5 = !parse.GetValue(noT5), MixedPrecision = parse.GetValue(precision) });
            if (owner is Sd3Pipeline loaded)
            {
                Console.WriteLine($"loaded {sd3!.FullName} in {loading.Elapsed.TotalSeconds:F1} s: transformer {loaded.Transformer.ParameterCount():N0} parameters, {loaded.Height}×{loaded.Width} pixels, {loaded.ImageTokens} image tokens");
            }
            var model = (IVelocityModel)owner;
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
