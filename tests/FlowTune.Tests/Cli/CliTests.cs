using FlowTune.Cli;
using FlowTune.Cli.Commands;
using FlowTune.IO;
using FlowTune.Torch;

namespace FlowTune.Tests.Cli;

public sealed class CliTests
{
    [Fact]
    public void Should_ListTensorsAndMetadata_When_InspectingAFile()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), $"inspect-{Guid.NewGuid():N}.safetensors");
        using (var scope = TensorScope.Enter())
        {
            var w = Tensor.Zeros([3, 4]);
            var ids = Tensor.Arange(5);
            TensorFile.Save(path, [new("layer.weight", w), new("ids", ids)], new Dictionary<string, string> { ["format"] = "pt" });
        }
        using var output = new StringWriter();

        // When
        var code = InspectCommand.Run(new FileInfo(path), output);

        // Then
        File.Delete(path);
        var text = output.ToString();
        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("layer.weight  F32    [3, 4]", text, StringComparison.Ordinal);
        Assert.Contains("ids", text, StringComparison.Ordinal);
        Assert.Contains("I64", text, StringComparison.Ordinal);
        Assert.Contains("format = pt", text, StringComparison.Ordinal);
        Assert.Contains("total elements: 17", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ThrowFileNotFound_When_InspectingAMissingFile()
    {
        // Given
        var missing = new FileInfo(Path.Combine(Path.GetTempPath(), "does-not-exist.safetensors"));

        // When / Then
        Assert.Throws<FileNotFoundException>(() => InspectCommand.Run(missing, TextWriter.Null));
    }

    [Fact]
    public void Should_ThrowInvalidData_When_InspectingAMalformedFile()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => InspectCommand.Run(new FileInfo(path), TextWriter.Null));

        // Then
        File.Delete(path);
        Assert.NotEmpty(error.Message);
    }

    [Theory]
    [InlineData("inspect")]                       // missing argument
    [InlineData("bench", "ops", "--runs", "x")]   // not a number
    [InlineData("no-such-command")]
    public void Should_ReportParseErrors_When_UsageIsWrong(params string[] args)
    {
        // When
        var parse = CliApp.Build().Parse(args);

        // Then
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public async Task Should_ReturnUsageErrorCode_When_OptionIsUnknown()
    {
        // When
        var code = await CliApp.RunAsync(["inspect", "x.safetensors", "--bogus"]);

        // Then
        Assert.Equal(CliApp.UsageError, code);
    }
}
