using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FlowTune.Models.Sd3.Text;

/// <summary>
/// What transformers' <c>from_pretrained</c> makes of a tokenizer folder's JSON files: <c>tokenizer_config.json</c>'s
/// init arguments; when it has <c>added_tokens_decoder</c>, that and nothing else; otherwise (older folders) the values
/// of <c>special_tokens_map.json</c> override, and the added tokens come from <c>added_tokens.json</c> and
/// <c>tokenizer.json</c>'s <c>added_tokens</c>. Fields that would change the ids in ways FlowTune does not implement
/// (padding/truncation side, split_special_tokens, an unknown tokenizer class) are errors; the rest are bookkeeping.
/// </summary>
internal sealed class TokenizerFiles
{
    private static readonly string[] SpecialKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    private readonly Dictionary<string, JsonElement> _kwargs;

    private TokenizerFiles(string configPath, Dictionary<string, JsonElement> kwargs, List<(int, AddedTokenInfo)> decoder)
    {
        ConfigPath = configPath;
        _kwargs = kwargs;
        Decoder = decoder;
    }

    /// <summary><c>tokenizer_config.json</c>'s path (named in errors; the file may be absent).</summary>
    public string ConfigPath { get; }

    /// <summary>The added-token decoder in transformers' order.</summary>
    public List<(int Id, AddedTokenInfo Token)> Decoder { get; }

    /// <summary>Reads the folder; <paramref name="classes"/> are the accepted <c>tokenizer_class</c> values.</summary>
    public static TokenizerFiles Load(string folder, string what, IReadOnlyList<string> classes)
    {
        var configPath = Path.Combine(folder, "tokenizer_config.json");
        var kwargs = File.Exists(configPath) ? ReadObject(configPath) : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var decoder = new OrderedDecoder();
        if (kwargs.TryGetValue("added_tokens_decoder", out var dec) && dec.ValueKind != JsonValueKind.Null)
        {
            if (dec.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{configPath}: added_tokens_decoder: expected an object of id → token");
            }
            foreach (var p in dec.EnumerateObject())
            {
                if (!int.TryParse(p.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    throw new InvalidDataException($"{configPath}: added_tokens_decoder: \"{p.Name}\" is not an id");
                }
                decoder.Set(id, ParseToken(p.Value, configPath, "added_tokens_decoder") ?? throw new InvalidDataException($"{configPath}: added_tokens_decoder.{p.Name}: null"));
            }
        }
        else
        {
            var mapPath = Path.Combine(folder, "special_tokens_map.json");
            if (File.Exists(mapPath))
            {
                foreach (var (key, value) in ReadObject(mapPath))
                {
                    if (key == "additional_special_tokens" && value.ValueKind == JsonValueKind.Array)
                    {
                        var merged = ReadTokenList(kwargs, configPath).ToList();
                        merged.AddRange(value.EnumerateArray().Select(v => ParseToken(v, mapPath, key)!).Where(t => t is not null && merged.All(m => m.Content != t.Content)));
                        kwargs[key] = JsonSerializer.SerializeToElement(merged.Select(t => new { content = t.Content, lstrip = t.LStrip, rstrip = t.RStrip, single_word = t.SingleWord }));
                    }
                    else
                    {
                        kwargs[key] = value.Clone();
                    }
                }
            }
            var addedPath = Path.Combine(folder, "added_tokens.json");
            if (File.Exists(addedPath))
            {
                foreach (var (content, id) in ReadObject(addedPath))
                {
                    if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var v))
                    {
                        throw new InvalidDataException($"{addedPath}: \"{content}\": expected an integer id");
                    }
                    decoder.Set(v, new AddedTokenInfo(content));
                }
            }
            var fastPath = Path.Combine(folder, "tokenizer.json");
            if (File.Exists(fastPath))
            {
                using var doc = ParseJson(fastPath);
                if (doc.RootElement.TryGetProperty("added_tokens", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var t in list.EnumerateArray())
                    {
                        if (!t.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out var id))
                        {
                            throw new InvalidDataException($"{fastPath}: added_tokens: an entry without an integer id");
                        }
                        decoder.Set(id, ParseToken(t, fastPath, "added_tokens")!);
                    }
                }
            }
        }

        var files = new TokenizerFiles(configPath, kwargs, decoder.Items());
        var cls = files.String("tokenizer_class");
        if (cls is not null && !classes.Contains(cls))
        {
            throw files.Error("tokenizer_class", $"FlowTune's {what} reads only {string.Join(" / ", classes)}");
        }
        foreach (var side in new[] { "padding_side", "truncation_side" })
        {
            var v = files.String(side);
            if (v is not null && v != "right")
            {
                throw files.Error(side, "FlowTune pads and truncates on the right only, as SD3's tokenizers do");
            }
        }
        if (kwargs.TryGetValue("split_special_tokens", out var split) && split.ValueKind == JsonValueKind.True)
        {
            throw files.Error("split_special_tokens", "FlowTune always splits added tokens out first (transformers' default)");
        }
        return files;
    }

    /// <summary>The raw init argument <paramref name="name"/>, if present and not null.</summary>
    public JsonElement? Field(string name) => _kwargs.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    /// <summary>A string init argument (null when absent or null).</summary>
    public string? String(string name)
    {
        var e = Field(name);
        if (e is null)
        {
            return null;
        }
        return e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString() : throw Error(name, "expected a string");
    }

    /// <summary>Special token <paramref name="key"/>: <paramref name="fallback"/> when absent, null when set to null.</summary>
    public AddedTokenInfo? SpecialToken(string key, string? fallback)
    {
        if (!_kwargs.TryGetValue(key, out var e))
        {
            return fallback is null ? null : new AddedTokenInfo(fallback);
        }
        return ParseToken(e, ConfigPath, key);
    }

    /// <summary><c>additional_special_tokens</c> (empty when absent).</summary>
    public List<AddedTokenInfo> AdditionalSpecialTokens() => ReadTokenList(_kwargs, ConfigPath).ToList();

    /// <summary>True when init argument <paramref name="name"/> is present (even if null).</summary>
    public bool Has(string name) => _kwargs.ContainsKey(name);

    /// <summary>
    /// transformers' <c>all_special_tokens_extended</c> order: bos, eos, unk, sep, pad, cls, mask (those set), then the
    /// additional special tokens; each content once.
    /// </summary>
    public List<AddedTokenInfo> SpecialTokensInOrder(AddedTokenInfo? bos, AddedTokenInfo? eos, AddedTokenInfo? unk, AddedTokenInfo? pad, IEnumerable<AddedTokenInfo>? additional = null)
    {
        var byKey = new Dictionary<string, AddedTokenInfo?> { ["bos_token"] = bos, ["eos_token"] = eos, ["unk_token"] = unk, ["pad_token"] = pad };
        var list = new List<AddedTokenInfo>();
        foreach (var key in SpecialKeys)
        {
            var t = byKey.TryGetValue(key, out var given) ? given : SpecialToken(key, null);
            if (t is not null)
            {
                list.Add(t);
            }
        }
        list.AddRange(additional ?? AdditionalSpecialTokens());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return list.Where(t => seen.Add(t.Content)).ToList();
    }

    /// <summary><c>model_max_length</c>; <see cref="int.MaxValue"/> when absent (transformers' 1e30) or beyond int.</summary>
    public int ModelMaxLength()
    {
        var e = Field("model_max_length");
        if (e is null)
        {
            return int.MaxValue;
        }
        if (e.Value.ValueKind != JsonValueKind.Number || e.Value.GetDouble() < 1)
        {
            throw Error("model_max_length", "expected a positive number");
        }
        return e.Value.TryGetInt32(out var v) ? v : int.MaxValue;
    }

    /// <summary>An error naming the config file and field.</summary>
    public InvalidDataException Error(string field, string message)
    {
        var shown = _kwargs.TryGetValue(field, out var e) ? e.GetRawText() : "(absent)";
        return new InvalidDataException($"{ConfigPath}: {field}: {shown}: {message}");
    }

    private static IEnumerable<AddedTokenInfo> ReadTokenList(Dictionary<string, JsonElement> kwargs, string path)
    {
        if (!kwargs.TryGetValue("additional_special_tokens", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: additional_special_tokens: expected a list");
        }
        return e.EnumerateArray().Select(v => ParseToken(v, path, "additional_special_tokens")).OfType<AddedTokenInfo>().ToList();
    }

    /// <summary>A token written as a string or as a serialised <c>AddedToken</c> object; null for JSON null.</summary>
    internal static AddedTokenInfo? ParseToken(JsonElement e, string path, string field)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return new AddedTokenInfo(e.GetString()!);
            case JsonValueKind.Object when e.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String:
                bool Flag(string name) => e.TryGetProperty(name, out var f) && f.ValueKind == JsonValueKind.True;
                return new AddedTokenInfo(c.GetString()!, Flag("lstrip"), Flag("rstrip"), Flag("single_word"));
            default:
                throw new InvalidDataException($"{path}: {field}: {e.GetRawText()}: expected a token string or an object with \"content\"");
        }
    }

    private static Dictionary<string, JsonElement> ReadObject(string path)
    {
        using var doc = ParseJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected a JSON object");
        }
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            result[p.Name] = p.Value.Clone();
        }
        return result;
    }

    internal static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>A Python dict of id → token: an updated key keeps its place.</summary>
    internal sealed class OrderedDecoder
    {
        private readonly List<int> _order = [];
        private readonly Dictionary<int, AddedTokenInfo> _tokens = [];

        public void Set(int id, AddedTokenInfo token)
        {
            if (!_tokens.ContainsKey(id))
            {
                _order.Add(id);
            }
            _tokens[id] = token;
        }

        public List<(int, AddedTokenInfo)> Items() => _order.Select(id => (id, _tokens[id])).ToList();
    }
}
