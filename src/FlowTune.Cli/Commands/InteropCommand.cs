using System.CommandLine;
using FlowTune.IO;
using FlowTune.Models.Sd3;
using FlowTune.Models.Sd3.Vae;
using FlowTune.Torch;

namespace FlowTune.Cli.Commands;

/// <summary>
/// <c>flowtune interop …</c>: runs one component of a diffusers pipeline on tensors from a safetensors file and
/// writes its outputs, for checking a port against the reference (docs/SD3.md "Interop commands").
/// </summary>
public static class InteropCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var command = new Command("interop", "Run one component of a diffusers SD3 pipeline on tensors from a file (parity checks).");
        command.Subcommands.Add(Transformer());
        command.Subcommands.Add(Vae());
        command.Subcommands.Add(Text());
        return command;
    }

    private static Command Transformer()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "A diffusers transformer/ folder, or a pipeline folder holding one.", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "safetensors with hidden_states [B,C,H,W], encoder_hidden_states [B,L,D], pooled_projections [B,P], timestep [B] (0-1000).", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "safetensors to write sample [B,C,H,W] (float32) into.", Required = true };
        var command = new Command("transformer", "Run SD3Transformer2DModel: (hidden_states, encoder_hidden_states, pooled_projections, timestep) → sample.");
        foreach (var o in new Option[] { model, input, output })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            RunTransformer(ComponentFolder(parse.GetValue(model)!.FullName, "transformer"), parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName);
            Console.WriteLine($"wrote {parse.GetValue(output)!.FullName}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Loads the transformer, runs it on the file's inputs (as float32) and writes <c>sample</c>.</summary>
    public static void RunTransformer(string folder, string input, string output)
    {
        using var net = Sd3Transformer.FromPretrained(folder);
        var (tensors, _) = TensorFile.Load(input);
        try
        {
            using var scope = TensorScope.Enter();
            using var noGrad = Autograd.NoGrad();
            Tensor Need(string name) => tensors.TryGetValue(name, out var t)
                ? t.To(DType.Float32)
                : throw new InvalidDataException($"{input}: missing tensor '{name}' (needs hidden_states, encoder_hidden_states, pooled_projections, timestep)");
            var sample = net.Forward(Need("hidden_states"), Need("encoder_hidden_states"), Need("pooled_projections"), Need("timestep"));
            TensorFile.Save(output, [new("sample", sample)]);
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }

    private static Command Vae()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "A diffusers vae/ folder, or a pipeline folder holding one.", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "safetensors with z [B,L,h,w] and/or x [B,C,H,W].", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "safetensors to write decoded (= raw decode(z)) and/or encoded_mean (= raw posterior mean of x) into.", Required = true };
        var command = new Command("vae", "Run AutoencoderKL: z → decoded and/or x → encoded_mean, with no scaling or shift.");
        foreach (var o in new Option[] { model, input, output })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            RunVae(ComponentFolder(parse.GetValue(model)!.FullName, "vae"), parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName);
            Console.WriteLine($"wrote {parse.GetValue(output)!.FullName}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Loads the VAE, decodes <c>z</c> and/or encodes <c>x</c> (as float32) and writes the results.</summary>
    public static void RunVae(string folder, string input, string output)
    {
        using var vae = AutoencoderKl.FromPretrained(folder);
        var (tensors, _) = TensorFile.Load(input);
        try
        {
            if (!tensors.ContainsKey("z") && !tensors.ContainsKey("x"))
            {
                throw new InvalidDataException($"{input}: holds neither 'z' (to decode) nor 'x' (to encode)");
            }
            using var scope = TensorScope.Enter();
            using var noGrad = Autograd.NoGrad();
            var results = new List<KeyValuePair<string, Tensor>>();
            if (tensors.TryGetValue("z", out var z))
            {
                results.Add(new("decoded", vae.Decode(z.To(DType.Float32))));
            }
            if (tensors.TryGetValue("x", out var x))
            {
                results.Add(new("encoded_mean", vae.EncodeMean(x.To(DType.Float32))));
            }
            TensorFile.Save(output, results);
        }
        finally
        {
            TensorFile.DisposeAll(tensors);
        }
    }

    private static Command Text()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "A diffusers StableDiffusion3Pipeline folder (text encoders and tokenizers are read; the transformer config sets the widths).", Required = true };
        var prompts = new Option<FileInfo>("--prompts") { Description = "A text file, one prompt per line.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "safetensors to write ids_clip_l, ids_clip_g, ids_t5 (int64), prompt_embeds and pooled_prompt_embeds (float32) into.", Required = true };
        var maxLength = new Option<int>("--max-sequence-length") { Description = "T5 tokens per prompt (diffusers' max_sequence_length).", DefaultValueFactory = _ => 256 };
        var command = new Command("text", "Tokenize and encode prompts as the SD3 pipeline's encode_prompt does.");
        foreach (var o in new Option[] { model, prompts, output, maxLength })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse =>
        {
            RunText(parse.GetValue(model)!.FullName, parse.GetValue(prompts)!.FullName, parse.GetValue(output)!.FullName, parse.GetValue(maxLength));
            Console.WriteLine($"wrote {parse.GetValue(output)!.FullName}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Loads the pipeline, encodes every line of <paramref name="promptFile"/> and writes ids and embeddings.</summary>
    public static void RunText(string pipelineFolder, string promptFile, string output, int maxSequenceLength)
    {
        var prompts = File.ReadAllLines(promptFile);
        if (prompts.Length == 0)
        {
            throw new InvalidDataException($"{promptFile}: no prompts (one per line)");
        }
        using var pipeline = Sd3PipelineLoader.Load(pipelineFolder, new Sd3PipelineOptions { MaxSequenceLength = maxSequenceLength, PromptCacheSize = 0 });
        var encoder = (Sd3PromptEncoder)pipeline.PromptEncoder;
        var (l, g, t5) = encoder.Tokenize(prompts);
        using var ids = new TensorList(l, g, t5);
        using var text = encoder.Encode(prompts);
        var tensors = new List<KeyValuePair<string, Tensor>> { new("ids_clip_l", l), new("ids_clip_g", g), new("prompt_embeds", text.Tokens), new("pooled_prompt_embeds", text.Pooled) };
        if (t5 is not null)
        {
            tensors.Add(new("ids_t5", t5));
        }
        TensorFile.Save(output, tensors);
    }

    /// <summary>Frees the tensors it was given.</summary>
    private sealed class TensorList(params Tensor?[] tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in tensors)
            {
                t?.Dispose();
            }
        }
    }

    /// <summary>A component folder: <paramref name="dir"/> itself if it has a config.json, else its <paramref name="component"/> subfolder.</summary>
    private static string ComponentFolder(string dir, string component) =>
        File.Exists(Path.Combine(dir, "config.json")) || !Directory.Exists(Path.Combine(dir, component)) ? dir : Path.Combine(dir, component);
}
