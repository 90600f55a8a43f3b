using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowTune.Evaluation;
using FlowTune.Imaging;
using FlowTune.IO;
using FlowTune.IO.TensorBoard;
using FlowTune.IO.TensorBoard.Proto;
using FlowTune.Rl;
using FlowTune.Tests.Rl;
using FlowTune.Training;
using FlowTune.Worlds.Shapes;
using Google.Protobuf;

namespace FlowTune.Tests.IO;

/// <summary>TensorBoard events files: TFRecord framing, the messages written, and the files of real runs.</summary>
[Collection("Serial")]
public sealed class TensorBoardTests
{
    private static string TempDir(string name) => Path.Combine(Path.GetTempPath(), $"tb-{name}-{Guid.NewGuid():N}");

    /// <summary>A bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78), independent of the hardware one under test.</summary>
    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    private static uint MaskedBitwise(ReadOnlySpan<byte> data)
    {
        var crc = BitwiseCrc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>Walks the framing of a TFRecord file by hand; returns each record's offset and data.</summary>
    private static List<(long Offset, byte[] Data)> RawRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<(long, byte[])>();
        var at = 0;
        while (at < bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(MaskedBitwise(bytes.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, length);
            Assert.Equal(MaskedBitwise(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            records.Add((at, data.ToArray()));
            at += 12 + length + 4;
        }
        return records;
    }

    private static byte[] TestPng(int height, int width)
    {
        var image = new RgbImage(height, width);
        for (var i = 0; i < image.Data.Length; i++)
        {
            image.Data[i] = (i % 7) / 6f;
        }
        return PngWriter.Encode(image);
    }

    /// <summary>Writes a file of a version event, two scalar events, an image and a text; returns its path.</summary>
    private static string WriteSample(string dir, byte[] png, string text)
    {
        using var writer = new TensorBoardWriter(dir);
        writer.Scalar("epoch/reward_mean", 3, 0.25);
        writer.Scalars(4, [KeyValuePair.Create("epoch/reward_mean", 0.5), KeyValuePair.Create("eval/tags/position", -1.75)]);
        writer.Image("eval/grid/position", 4, png);
        writer.Text("config", 0, text);
        return writer.Path;
    }

    [Fact]
    public void Should_MatchTheStandardCheckValue_When_ComputingCrc32COf123456789()
    {
        // Given
        var data = "123456789"u8.ToArray();

        // When
        var crc = Crc32C.Compute(data);

        // Then
        Assert.Equal(0xE3069283u, crc);
        Assert.Equal(BitwiseCrc32C(data), crc);
        Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u), Crc32C.Masked(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(1000)]
    public void Should_AgreeWithTheBitwiseCrc_When_TheLengthIsNotAMultipleOfEight(int length)
    {
        // Given
        var data = new byte[length];
        new Random(length).NextBytes(data);

        // When / Then
        Assert.Equal(BitwiseCrc32C(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Should_ReadBackEveryScalarImageAndText_When_WrittenByTheTensorBoardWriter()
    {
        // Given
        var dir = TempDir("sample");
        var png = TestPng(height: 5, width: 7);
        const string text = "    num_epochs: 2\n    ünïcode: ✓";

        // When
        var path = WriteSample(dir, png, text);
        var raw = RawRecords(path);
        var events = EventFileReader.Read(path);
        var files = EventFileReader.Files(dir);
        Directory.Delete(dir, true);

        // Then: the name, the framing, and every record parses to the event written
        Assert.Equal([path], files);
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path), StringComparison.Ordinal);
        var seconds = long.Parse(Path.GetFileName(path).Split('.')[3], CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds, 0, 600);
        Assert.Equal(5, raw.Count);
        Assert.Equal(raw.Select(r => r.Data), events.Select(e => e.ToByteArray()));

        Assert.Equal(Event.WhatOneofCase.FileVersion, events[0].WhatCase);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - events[0].WallTime, 0, 600);
        Assert.All(events.Skip(1), e => Assert.Equal(Event.WhatOneofCase.Summary, e.WhatCase));
        Assert.All(events.Skip(1), e => Assert.True(e.WallTime >= events[0].WallTime));

        var scalars = events.Skip(1).Take(2).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v.Tag, v.ValueCase, v.SimpleValue))).ToList();
        Assert.Equal(
            [(3L, "epoch/reward_mean", Summary.Types.Value.ValueOneofCase.SimpleValue, 0.25f),
             (4L, "epoch/reward_mean", Summary.Types.Value.ValueOneofCase.SimpleValue, 0.5f),
             (4L, "eval/tags/position", Summary.Types.Value.ValueOneofCase.SimpleValue, -1.75f)],
            scalars);

        var image = Assert.Single(events[3].Summary.Value);
        Assert.Equal((4L, "eval/grid/position"), (events[3].Step, image.Tag));
        Assert.Equal((5, 7, 3), (image.Image.Height, image.Image.Width, image.Image.Colorspace));
        Assert.Equal(png, image.Image.EncodedImageString.ToByteArray());

        var textValue = Assert.Single(events[4].Summary.Value);
        Assert.Equal((0L, "config"), (events[4].Step, textValue.Tag));
        Assert.Equal("text", textValue.Metadata.PluginData.PluginName);
        Assert.Equal(DataType.DtString, textValue.Tensor.Dtype);
        Assert.Empty(textValue.Tensor.TensorShape.Dim);
        Assert.Equal(text, Encoding.UTF8.GetString(Assert.Single(textValue.Tensor.StringVal).ToByteArray()));
    }

    [Fact]
    public void Should_StartASecondFile_When_TwoWritersOpenTheSameFolderInOneSecond()
    {
        // Given
        var dir = TempDir("two");

        // When
        string first, second;
        using (var a = new TensorBoardWriter(dir))
        using (var b = new TensorBoardWriter(dir))
        {
            a.Scalar("a", 1, 1);
            b.Scalar("b", 1, 2);
            (first, second) = (a.Path, b.Path);
        }
        var events = EventFileReader.ReadDirectory(dir);
        Directory.Delete(dir, true);

        // Then
        Assert.NotEqual(first, second);
        Assert.Equal(["a", "b"], events.Where(e => e.Summary is not null).Select(e => e.Summary.Value.Single().Tag).Order(StringComparer.Ordinal));
        Assert.Equal(2, events.Count(e => e.FileVersion == TensorBoardWriter.FileVersion));
    }

    [Theory]
    [InlineData(0, "length CRC")]
    [InlineData(3, "length CRC")]
    [InlineData(9, "length CRC")]
    [InlineData(12, "data CRC")]
    [InlineData(-3, "data CRC")]
    public void Should_ThrowNamingTheOffsetAndTheCrc_When_AByteOfARecordIsFlipped(int byteInRecord, string which)
    {
        // Given: a byte of the third record flipped (negative: counted from the end of its data)
        var dir = TempDir("flip");
        var path = WriteSample(dir, TestPng(4, 4), "text");
        var record = RawRecords(path)[2];
        var bytes = File.ReadAllBytes(path);
        var at = record.Offset + (byteInRecord >= 0 ? byteInRecord : 12 + record.Data.Length + byteInRecord);
        bytes[at] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        // When
        var error = Assert.Throws<InvalidDataException>(() => EventFileReader.Read(path));
        Directory.Delete(dir, true);

        // Then
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"offset {record.Offset}:"), error.Message, StringComparison.Ordinal);
        Assert.Contains(which, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void Should_ReportATruncatedLastRecord_When_TheFileEndsInsideIt(int bytesKept)
    {
        // Given: the last record cut after bytesKept of its bytes (negative: that many cut from its end)
        var dir = TempDir("cut");
        var path = WriteSample(dir, TestPng(4, 4), "a longer text than fifteen bytes");
        var last = RawRecords(path)[^1];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytesKept >= 0 ? last.Offset + bytesKept : bytes.Length + bytesKept)]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => TfRecordReader.ReadAll(path));
        Directory.Delete(dir, true);

        // Then
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"offset {last.Offset}: truncated record"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_TagEveryNestedNumberAndPickTheStep_When_AMetricsRecordIsWritten()
    {
        // Given
        var dir = TempDir("flatten");
        var eval = new EvalMetrics(6, 0.5, 0.75, double.NaN, new Dictionary<string, double> { ["position"] = 0.25, ["colors"] = 1 }, 12.5, 40);
        var update = new UpdateMetrics(2, 17, 0.1, 0.2, 0.3, 0.4, 1, 0.9, 1.1, 2.5);

        // When
        using (var writer = MetricsLog.Open(dir))
        {
            writer.Write(eval);
            writer.Write(update);
            writer.Scalars(new { step = 40L, overall = 0.125 }, "eval");
        }
        var summaries = EventFileReader.ReadDirectory(Path.Combine(dir, RunMetricsWriter.TensorBoardFolder)).Where(e => e.Summary is not null).ToList();
        var lines = File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName));
        Directory.Delete(dir, true);

        // Then: JSONL unchanged, one event per record, every number under its path, the step from global_step/step/epoch
        Assert.Equal(2, lines.Length);
        Assert.Equal(3, summaries.Count);
        Assert.Equal([6L, 17L, 40L], summaries.Select(e => e.Step));
        var evalValues = summaries[0].Summary.Value.ToDictionary(v => v.Tag, v => v.SimpleValue);
        Assert.Equal(
            new Dictionary<string, float>
            {
                ["eval/epoch"] = 6, ["eval/overall"] = 0.5f, ["eval/mean_reward"] = 0.75f, ["eval/diversity"] = float.NaN,
                ["eval/tags/position"] = 0.25f, ["eval/tags/colors"] = 1, ["eval/seconds"] = 12.5f, ["eval/images"] = 40,
            },
            evalValues);
        Assert.Equal(["update/epoch", "update/global_step", "update/policy_loss", "update/kl_loss", "update/approx_kl", "update/clip_frac",
                      "update/ratio_mean", "update/ratio_min", "update/ratio_max", "update/grad_norm"],
            summaries[1].Summary.Value.Select(v => v.Tag));
        Assert.Equal(2.5f, summaries[1].Summary.Value.Single(v => v.Tag == "update/grad_norm").SimpleValue);
        Assert.Equal([("eval/step", 40f), ("eval/overall", 0.125f)], summaries[2].Summary.Value.Select(v => (v.Tag, v.SimpleValue)));
    }

    /// <summary>Every number of a JSON record with its path (objects nested), as the test reads metrics.jsonl.</summary>
    private static IEnumerable<(string Path, double Value)> Numbers(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Numbers(p.Value, path + "/" + p.Name)),
        JsonValueKind.Number => [(path, e.GetDouble())],
        _ => [],
    };

    [Fact]
    public void Should_HoldEveryNumberOfTheLastEpochAndTheGrids_When_ATinyRlRunEnds()
    {
        // Given
        var dir = TempDir("rl");
        var config = RlTrainerTests.Tiny();

        // When
        new RlTrainer(config, dir, TextWriter.Null).Run(false, CancellationToken.None);
        var events = EventFileReader.ReadDirectory(Path.Combine(dir, "tensorboard"));
        var lastEpoch = File.ReadLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(r => r.GetProperty("kind").GetString() == "epoch");
        var grids = Directory.GetFiles(Path.Combine(dir, "eval", $"epoch_{config.NumEpochs:D4}"), "grid_*.png");
        var gridBytes = grids.ToDictionary(f => Path.GetFileNameWithoutExtension(f)["grid_".Length..], File.ReadAllBytes);
        var yaml = File.ReadAllText(Path.Combine(dir, "config.yaml"));
        Directory.Delete(dir, true);

        // Then: every number of the last epoch record as a scalar at its epoch
        var epoch = lastEpoch.GetProperty("epoch").GetInt64();
        var scalars = events.Where(e => e.Step == epoch && e.Summary is not null).SelectMany(e => e.Summary.Value)
            .Where(v => v.ValueCase == Summary.Types.Value.ValueOneofCase.SimpleValue && v.Tag.StartsWith("epoch/", StringComparison.Ordinal))
            .ToDictionary(v => v.Tag, v => v.SimpleValue);
        var numbers = Numbers(lastEpoch, "epoch").ToList();
        Assert.Contains(numbers, n => n.Path == "epoch/reward_mean");
        Assert.Contains(numbers, n => n.Path.Count(c => c == '/') >= 3); // nested dictionaries (tag_means, tag_images)
        Assert.Equal(numbers.Select(n => n.Path).Order(StringComparer.Ordinal), scalars.Keys.Order(StringComparer.Ordinal));
        Assert.All(numbers, n => Assert.Equal((float)n.Value, scalars[n.Path]));

        // the final evaluation's scalars and every one of its grids, byte for byte
        Assert.Contains(events, e => e.Step == epoch && e.Summary?.Value.Any(v => v.Tag == "eval/overall") == true);
        var images = events.Where(e => e.Step == epoch && e.Summary is not null).SelectMany(e => e.Summary.Value)
            .Where(v => v.ValueCase == Summary.Types.Value.ValueOneofCase.Image).ToDictionary(v => v.Tag, v => v.Image);
        Assert.NotEmpty(gridBytes);
        Assert.Equal(gridBytes.Keys.Select(t => "eval/grid/" + t).Order(StringComparer.Ordinal), images.Keys.Order(StringComparer.Ordinal));
        Assert.All(gridBytes, g => Assert.Equal(g.Value, images["eval/grid/" + g.Key].EncodedImageString.ToByteArray()));
        Assert.Contains(events, e => e.Step == 0 && e.Summary?.Value.Any(v => v.Tag.StartsWith("eval/grid/", StringComparison.Ordinal)) == true);

        // the resolved config once, as an indented (code block) text
        var text = Assert.Single(events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value), v => v.Tag == "config");
        var markdown = text.Tensor.StringVal.Single().ToStringUtf8();
        Assert.Equal(yaml.ReplaceLineEndings("\n").TrimEnd('\n'), string.Join("\n", markdown.Split('\n').Select(l => l[4..])));
    }

    [Fact]
    public void Should_WriteTrainingScalarsQuickEvaluationsAndTheOptions_When_ATinyPretrainingRunEnds()
    {
        // Given
        var dir = TempDir("pretrain");
        var world = new ShapesWorld();
        var (train, test) = world.DefaultPrompts();
        var options = new PretrainOptions
        {
            Preset = "tiny-unet", ImageSize = 16, BatchSize = 4, WarmupSteps = 1, MaxSteps = 2, LogEvery = 1, CheckpointEvery = 2, EvalEvery = 0, Seed = 3,
        };

        // When
        using (var quick = new PretrainQuickEvaluation(test, world.Judge(), 1, dir))
        {
            new Pretrainer(options, new ShapesImageTextSource(train, 16), dir, TextWriter.Null)
            {
                Evaluate = (step, model, seconds, metrics) => quick.Evaluate(step, model, seconds, metrics),
            }.Run(false, CancellationToken.None);
        }
        var events = EventFileReader.ReadDirectory(Path.Combine(dir, RunMetricsWriter.TensorBoardFolder));
        var records = File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var curve = JsonDocument.Parse(File.ReadAllLines(Path.Combine(dir, PretrainQuickEvaluation.CurveFile)).Single()).RootElement;
        var grids = Directory.GetFiles(Path.Combine(dir, "samples", "step_000002"), "grid_*.png").Length;
        Directory.Delete(dir, true);

        // Then: every number of every training record at its step, the quick evaluation at step 2, the options as text
        var values = events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v))).ToList();
        Assert.Equal(2, records.Count);
        foreach (var record in records)
        {
            var step = record.GetProperty("step").GetInt64();
            foreach (var (tag, value) in Numbers(record, "train"))
            {
                Assert.Contains(values, x => x.Step == step && x.v.Tag == tag && x.v.SimpleValue == (float)value);
            }
        }
        foreach (var (tag, value) in Numbers(curve, "eval"))
        {
            Assert.Contains(values, x => x.Step == 2 && x.v.Tag == tag && x.v.SimpleValue == (float)value);
        }
        Assert.True(grids > 0);
        Assert.Equal(grids, values.Count(x => x.Step == 2 && x.v.ValueCase == Summary.Types.Value.ValueOneofCase.Image && x.v.Tag.StartsWith("eval/grid/", StringComparison.Ordinal)));
        var config = values.Single(x => x.v.Tag == "config").v.Tensor.StringVal.Single().ToStringUtf8();
        Assert.Contains("\"preset\": \"tiny-unet\"", config, StringComparison.Ordinal);
    }
}
