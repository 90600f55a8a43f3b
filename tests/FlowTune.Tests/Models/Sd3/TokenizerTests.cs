using System.Text.Json;
using System.Text.Json.Nodes;
using FlowTune.Models.Sd3.Text;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>
/// The CLIP and T5 tokenizers against transformers' own slow tokenizers: tokens.json holds, for each prompt, what
/// <c>tokenize</c>, <c>tok(p).input_ids</c> and SD3's padded/truncated call give (tools/sd3-text/make_text_vectors.py).
/// </summary>
public class TokenizerTests
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Sd3Fixtures.Folder("sd3-text/tokenizer"), "..", "tokens.json"))).RootElement);

    private static readonly Lazy<ClipTokenizer> ClipL = new(() => ClipTokenizer.FromPretrained(Sd3Fixtures.Folder("sd3-text/tokenizer")));
    private static readonly Lazy<ClipTokenizer> ClipG = new(() => ClipTokenizer.FromPretrained(Sd3Fixtures.Folder("sd3-text/tokenizer_2")));
    private static readonly Lazy<T5Tokenizer> T5 = new(() => T5Tokenizer.FromPretrained(Sd3Fixtures.Folder("sd3-text/tokenizer_3")));

    /// <summary>(tokenizer folder, prompt index) for every prompt of tokens.json and each of the three tokenizers.</summary>
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        var count = Reference.Value.GetProperty("prompts").GetArrayLength();
        foreach (var tokenizer in new[] { "tokenizer", "tokenizer_2", "tokenizer_3" })
        {
            for (var i = 0; i < count; i++)
            {
                data.Add(tokenizer, i);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_GiveTransformersIds_When_PromptIsTokenized(string tokenizer, int index)
    {
        // Given
        var prompt = Reference.Value.GetProperty("prompts")[index];
        var text = prompt.GetProperty("text").GetString()!;
        var expected = prompt.GetProperty(tokenizer);
        var expectedPadded = Ints(expected.GetProperty("ids_padded"));

        // When
        var (tokens, ids, padded) = tokenizer switch
        {
            "tokenizer" => (ClipL.Value.Tokenize(text), ClipL.Value.Encode(text), ClipL.Value.EncodePadded(text, expectedPadded.Length)),
            "tokenizer_2" => (ClipG.Value.Tokenize(text), ClipG.Value.Encode(text), ClipG.Value.EncodePadded(text, expectedPadded.Length)),
            _ => (T5.Value.Tokenize(text), T5.Value.Encode(text), T5.Value.EncodePadded(text, expectedPadded.Length)),
        };

        // Then
        Assert.Equal(expected.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!), tokens);
        Assert.Equal(Ints(expected.GetProperty("ids")), ids);
        Assert.Equal(expectedPadded, padded);
    }

    [Theory]
    [InlineData("tokenizer")]
    [InlineData("tokenizer_2")]
    public void Should_ReadTransformersSpecialTokens_When_ClipFolderIsLoaded(string folder)
    {
        // Given
        var expected = Reference.Value.GetProperty("tokenizers").GetProperty(folder);

        // When
        var tokenizer = ClipTokenizer.FromPretrained(Sd3Fixtures.Folder($"sd3-text/{folder}"));

        // Then
        Assert.Equal(expected.GetProperty("bos_token_id").GetInt32(), tokenizer.BosTokenId);
        Assert.Equal(expected.GetProperty("eos_token_id").GetInt32(), tokenizer.EosTokenId);
        Assert.Equal(expected.GetProperty("pad_token_id").GetInt32(), tokenizer.PadTokenId);
        Assert.Equal(expected.GetProperty("unk_token_id").GetInt32(), tokenizer.UnkTokenId);
        Assert.Equal(expected.GetProperty("model_max_length").GetInt32(), tokenizer.ModelMaxLength);
    }

    [Fact]
    public void Should_ReadTransformersSpecialTokens_When_T5FolderIsLoaded()
    {
        // Given
        var expected = Reference.Value.GetProperty("tokenizers").GetProperty("tokenizer_3");

        // When
        var tokenizer = T5Tokenizer.FromPretrained(Sd3Fixtures.Folder("sd3-text/tokenizer_3"));

        // Then
        Assert.Equal(expected.GetProperty("eos_token_id").GetInt32(), tokenizer.EosTokenId);
        Assert.Equal(expected.GetProperty("pad_token_id").GetInt32(), tokenizer.PadTokenId);
        Assert.Equal(expected.GetProperty("unk_token_id").GetInt32(), tokenizer.UnkTokenId);
        Assert.Equal(expected.GetProperty("model_max_length").GetInt32(), tokenizer.ModelMaxLength);
    }

    [Fact]
    public void Should_SplitSpecialTokensOut_When_PromptContainsThem()
    {
        // Given: <|endoftext|> inside a CLIP prompt, and T5 extra ids (which eat the spaces around them)
        var clip = ClipL.Value;
        var t5 = T5.Value;

        // When
        var clipIds = clip.Encode("red<|endoftext|>cube");
        var spaced = t5.Encode("a red <extra_id_0> cube");
        var tight = t5.Encode("a red<extra_id_0>cube");

        // Then: <extra_id_0> is id 109 (tools/sd3-text/README.md)
        int[] expectedClip = [clip.BosTokenId, .. clip.Encode("red")[1..^1], clip.EosTokenId, .. clip.Encode("cube")[1..^1], clip.EosTokenId];
        int[] expectedT5 = [.. t5.Encode("a red")[..^1], 109, .. t5.Encode("cube")];
        Assert.Equal(expectedClip, clipIds);
        Assert.Equal(tight, spaced);
        Assert.Equal(expectedT5, spaced);
    }

    [Fact]
    public void Should_NotAddSecondEos_When_T5PromptEndsWithEos()
    {
        // Given
        var t5 = T5.Value;

        // When
        var ids = t5.Encode("a red cube</s>");
        var padded = t5.EncodePadded("a red cube</s>", 12);

        // Then
        int[] expectedPadded = [.. ids, .. Enumerable.Repeat(t5.PadTokenId, 12 - ids.Length)];
        Assert.Equal(t5.Encode("a red cube"), ids);
        Assert.Equal(expectedPadded, padded);
    }

    [Fact]
    public void Should_DeleteControlCharacters_When_T5CharsmapMapsThemToNothing()
    {
        // Given: nmt_nfkc deletes C0 controls (sentencepiece: "a\u0001b" encodes like "ab")
        var t5 = T5.Value;

        // When
        var ids = t5.Encode("a\u0001\u001Fb\u007F");

        // Then
        Assert.Equal(t5.Encode("ab"), ids);
    }

    [Fact]
    public void Should_MatchSpiece_When_T5FolderHasOnlyTokenizerJson()
    {
        // Given: a tokenizer.json in T5TokenizerFast's layout holding the same Unigram model, and no spiece.model
        var folder = Sd3Fixtures.CopyToTemp("sd3-text/tokenizer_3");
        try
        {
            var spiece = Path.Combine(folder, "spiece.model");
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), TokenizerJsonFor(spiece));
            File.Delete(spiece);

            // When
            var fromJson = T5Tokenizer.FromPretrained(folder);

            // Then
            foreach (var prompt in Reference.Value.GetProperty("prompts").EnumerateArray())
            {
                var text = prompt.GetProperty("text").GetString()!;
                var expected = Ints(prompt.GetProperty("tokenizer_3").GetProperty("ids_padded"));
                Assert.Equal(expected, fromJson.EncodePadded(text, expected.Length));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("sd3-text/tokenizer", "vocab.json")]
    [InlineData("sd3-text/tokenizer", "merges.txt")]
    [InlineData("sd3-text/tokenizer_2", "vocab.json")]
    [InlineData("sd3-text/tokenizer_2", "merges.txt")]
    public void Should_NameMissingFile_When_ClipFolderLacksIt(string fixture, string file)
    {
        // Given
        var folder = Sd3Fixtures.CopyToTemp(fixture);
        try
        {
            File.Delete(Path.Combine(folder, file));

            // When
            var error = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromPretrained(folder));

            // Then
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_NameMissingFile_When_T5FolderLacksSpieceModel()
    {
        // Given
        var folder = Sd3Fixtures.CopyToTemp("sd3-text/tokenizer_3");
        try
        {
            File.Delete(Path.Combine(folder, "spiece.model"));

            // When
            var error = Assert.Throws<FileNotFoundException>(() => T5Tokenizer.FromPretrained(folder));

            // Then
            Assert.Contains("spiece.model", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_NameTheFile_When_TokenizerJsonIsNotUnigram()
    {
        // Given
        var folder = Sd3Fixtures.CopyToTemp("sd3-text/tokenizer_3");
        try
        {
            File.Delete(Path.Combine(folder, "spiece.model"));
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {}, "merges": []}}""");

            // When
            var error = Assert.Throws<InvalidDataException>(() => T5Tokenizer.FromPretrained(folder));

            // Then
            Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
            Assert.Contains("Unigram", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_NameTheFile_When_SpieceModelIsNotSentencePiece()
    {
        // Given
        var folder = Sd3Fixtures.CopyToTemp("sd3-text/tokenizer_3");
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "spiece.model"), [0x0A, 0xFF, 0x01]);

            // When
            var error = Assert.Throws<InvalidDataException>(() => T5Tokenizer.FromPretrained(folder));

            // Then
            Assert.Contains("spiece.model", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_RejectMerge_When_ItsResultIsNotInVocab()
    {
        // Given: a merge whose result transformers would map to unk, which the library cannot represent
        var folder = Sd3Fixtures.CopyToTemp("sd3-text/tokenizer");
        try
        {
            File.AppendAllText(Path.Combine(folder, "merges.txt"), "\nz z</w>\n");

            // When
            var error = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromPretrained(folder));

            // Then
            Assert.Contains("merges.txt", error.Message, StringComparison.Ordinal);
            Assert.Contains("zz</w>", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Should_Throw_When_MaxLengthCannotHoldSpecialTokens()
    {
        // Given
        var clip = ClipL.Value;
        var t5 = T5.Value;

        // When / Then
        Assert.Throws<ArgumentOutOfRangeException>(() => clip.EncodePadded("a cube", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t5.EncodePadded("a cube", 0));
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    // The tokenizer.json T5TokenizerFast writes for a SentencePiece model: Unigram vocab, Precompiled normaliser,
    // WhitespaceSplit + Metaspace pre-tokenizer, the special tokens as added tokens.
    private static string TokenizerJsonFor(string spiece)
    {
        var model = SentencePieceModelFile.Read(spiece);
        var vocab = new JsonArray();
        foreach (var (piece, score) in model.Pieces)
        {
            vocab.Add(new JsonArray(piece, score));
        }
        var added = new JsonArray();
        foreach (var (id, content) in new[] { (0, "<pad>"), (1, "</s>"), (2, "<unk>") })
        {
            added.Add(new JsonObject { ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true });
        }
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Precompiled", ["precompiled_charsmap"] = Convert.ToBase64String(model.Normalization.PrecompiledCharsmap) },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " {2,}" }, ["content"] = " " }),
            },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "WhitespaceSplit" },
                    new JsonObject { ["type"] = "Metaspace", ["replacement"] = "\u2581", ["prepend_scheme"] = "always", ["split"] = true }),
            },
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = model.UnkId, ["vocab"] = vocab, ["byte_fallback"] = false },
        };
        return json.ToJsonString();
    }
}
