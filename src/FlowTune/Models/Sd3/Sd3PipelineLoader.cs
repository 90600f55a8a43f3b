using System.Text.Json;
using FlowTune.Common;
using FlowTune.Models.Sd3.Text;
using FlowTune.Models.Sd3.Vae;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// Loads a diffusers <c>StableDiffusion3Pipeline</c> folder: <c>model_index.json</c> names the components; each is
/// loaded from its subfolder with its own checks (docs/SD3.md "Folder layout"). On any error every component loaded
/// so far is disposed and one error names the folder and the component.
/// </summary>
public static class Sd3PipelineLoader
{
    private static readonly Dictionary<string, string[]> Expected = new(StringComparer.Ordinal)
    {
        ["transformer"] = ["SD3Transformer2DModel"],
        ["vae"] = ["AutoencoderKL"],
        ["scheduler"] = ["FlowMatchEulerDiscreteScheduler"],
        ["text_encoder"] = ["CLIPTextModelWithProjection"],
        ["text_encoder_2"] = ["CLIPTextModelWithProjection"],
        ["text_encoder_3"] = ["T5EncoderModel"],
        ["tokenizer"] = ["CLIPTokenizer", "CLIPTokenizerFast"],
        ["tokenizer_2"] = ["CLIPTokenizer", "CLIPTokenizerFast"],
        ["tokenizer_3"] = ["T5Tokenizer", "T5TokenizerFast"],
    };

    /// <summary>Loads the pipeline in <paramref name="folder"/>.</summary>
    public static Sd3Pipeline Load(string folder, Sd3PipelineOptions? options = null)
    {
        options ??= new Sd3PipelineOptions();
        Validation.ThrowIfAny(options.Validate(), "SD3 pipeline options");
        var components = ReadIndex(folder);
        var loaded = new List<IDisposable>();
        T Track<T>(T component) where T : IDisposable
        {
            loaded.Add(component);
            return component;
        }
        string Sub(string name) => Path.Combine(folder, name);
        try
        {
            var transformer = Track(Sd3Transformer.FromPretrained(Sub("transformer")));
            var vae = Track(AutoencoderKl.FromPretrained(Sub("vae")));
            var scheduler = FlowMatchScheduleConfig.Load(Path.Combine(Sub("scheduler"), "scheduler_config.json"));
            var clipL = Track(ClipTextModel.FromPretrained(Sub("text_encoder")));
            var clipG = Track(ClipTextModel.FromPretrained(Sub("text_encoder_2")));
            var tokenizerL = ClipTokenizer.FromPretrained(Sub("tokenizer"));
            var tokenizerG = ClipTokenizer.FromPretrained(Sub("tokenizer_2"));
            var withT5 = options.LoadT5 && components.Contains("text_encoder_3");
            var t5 = withT5 ? Track(T5Encoder.FromPretrained(Sub("text_encoder_3"))) : null;
            var tokenizerT5 = withT5 ? T5Tokenizer.FromPretrained(Sub("tokenizer_3")) : null;
            var text = Track(new Sd3PromptEncoder(clipL, tokenizerL, clipG, tokenizerG, t5, tokenizerT5, options.MaxSequenceLength, transformer.Config.JointAttentionDim));
            loaded.Remove(clipL);
            loaded.Remove(clipG);
            if (t5 is not null)
            {
                loaded.Remove(t5);
            }
            if (text.PooledWidth != transformer.Config.PooledProjectionDim)
            {
                throw new InvalidDataException($"{folder}: CLIP-L + CLIP-G projections give pooled width {text.PooledWidth}, the transformer's pooled_projection_dim is {transformer.Config.PooledProjectionDim}");
            }
            var scale = 1 << (vae.Config.BlockOutChannels.Count - 1);
            var side = transformer.Config.SampleSize * scale;
            IPromptEncoder encoder = text;
            if (options.PromptCacheSize > 0)
            {
                encoder = new CachedPromptEncoder(text, options.PromptCacheSize);
                loaded.Remove(text);
                loaded.Add(encoder);
            }
            if (options.MixedPrecision.ComputeType() is { } dtype)
            {
                transformer.To(dtype);
                vae.To(dtype);
                clipL.To(dtype);
                clipG.To(dtype);
                t5?.To(dtype);
            }
            return new Sd3Pipeline(transformer, vae, encoder, scheduler, options.Height ?? side, options.Width ?? side)
            {
                Source = (Path.GetFullPath(folder), options),
                Precision = options.MixedPrecision,
            };
        }
        catch
        {
            foreach (var component in loaded)
            {
                component.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// The components <c>model_index.json</c> lists (non-null entries), each checked against the class FlowTune
    /// loads for it; text_encoder_3/tokenizer_3 may be absent or null (SD3 without T5).
    /// </summary>
    public static IReadOnlySet<string> ReadIndex(string folder)
    {
        var path = Path.Combine(folder, "model_index.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: not found (is {folder} a diffusers pipeline folder?)", path);
        }
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
        var problems = new List<string>();
        if (!root.TryGetProperty("_class_name", out var cls) || cls.GetString() is not ("StableDiffusion3Pipeline"))
        {
            problems.Add($"_class_name: {(root.TryGetProperty("_class_name", out var c) ? c.GetRawText() : "(absent)")}: expected \"StableDiffusion3Pipeline\"");
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, classes) in Expected)
        {
            var optional = name is "text_encoder_3" or "tokenizer_3";
            if (!root.TryGetProperty(name, out var entry) || entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[1].ValueKind == JsonValueKind.Null)
            {
                if (!optional)
                {
                    problems.Add($"{name}: {(root.TryGetProperty(name, out var e) ? e.GetRawText() : "(absent)")}: expected [library, \"{classes[0]}\"]");
                }
                continue;
            }
            var actual = entry[1].GetString();
            if (!classes.Contains(actual))
            {
                problems.Add($"{name}: {entry.GetRawText()}: expected class {string.Join(" or ", classes.Select(x => $"\"{x}\""))}");
                continue;
            }
            if (!Directory.Exists(Path.Combine(folder, name)))
            {
                problems.Add($"{name}: listed but the folder {Path.Combine(folder, name)} is missing");
                continue;
            }
            present.Add(name);
        }
        if (present.Contains("text_encoder_3") != present.Contains("tokenizer_3"))
        {
            problems.Add("text_encoder_3 and tokenizer_3: expected both or neither");
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {string.Join("; ", problems)}");
        }
        return present;
    }
}
