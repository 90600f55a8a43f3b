using FlowTune.Cli;
using FlowTune.Cli.Commands;
using FlowTune.IO;
using FlowTune.Sampling;
using FlowTune.Torch;

namespace FlowTune.Tests.Cli;

public sealed class SdeStepCommandTests
{
    [Theory]
    [InlineData(SdeKind.Sde)]
    [InlineData(SdeKind.Cps)]
    public void Should_WriteMeanStdAndLogProb_When_GivenTensorsOnDisk(SdeKind kind)
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(4);
        var x = Tensor.Randn([2, 3, 4, 4], generator);
        var v = Tensor.Randn([2, 3, 4, 4], generator);
        var t = Tensor.FromArray(new float[] { 1.0f, 0.5f }, 2);
        var tNext = Tensor.FromArray(new float[] { 0.9f, 0.4f }, 2);
        var xNext = Tensor.Randn([2, 3, 4, 4], generator);
        var input = Path.Combine(Path.GetTempPath(), $"sde-in-{Guid.NewGuid():N}.safetensors");
        var output = Path.Combine(Path.GetTempPath(), $"sde-out-{Guid.NewGuid():N}.safetensors");
        TensorFile.Save(input, [new("x", x), new("v", v), new("t", t), new("t_next", tNext), new("x_next", xNext), new("t_grid1", Tensor.Scalar(0.9))]);

        // When
        SdeStepCommand.Run(input, output, kind, 0.7);
        var (written, metadata) = TensorFile.Load(output);
        using var expected = SdeStep.Transition(kind, x, v, t, tNext, 0.7, (double)0.9f); // t_grid1 travels as float32
        var expectedLogp = SdeStep.LogProb(kind, expected, xNext);

        // Then
        File.Delete(input);
        File.Delete(output);
        Assert.Equal(expected.Mean.ToArray<float>(), written["mean"].ToArray<float>());
        Assert.Equal(expected.Std.ToArray<float>(), written["std"].ToArray<float>());
        Assert.Equal(expectedLogp.ToArray<float>(), written["log_prob"].ToArray<float>());
        Assert.Equal(kind.ToString().ToLowerInvariant(), metadata["kind"]);
    }

    [Fact]
    public void Should_NameTheMissingTensor_When_InputIsIncomplete()
    {
        // Given
        using var scope = TensorScope.Enter();
        var input = Path.Combine(Path.GetTempPath(), $"sde-bad-{Guid.NewGuid():N}.safetensors");
        TensorFile.Save(input, [new("x", Tensor.Zeros([1, 2]))]);

        // When
        var error = Assert.Throws<InvalidDataException>(() => SdeStepCommand.Run(input, input + ".out", SdeKind.Sde, 0.7));

        // Then
        File.Delete(input);
        Assert.Contains("t_grid1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_ParseKindCaseInsensitively_When_GivenOnTheCommandLine()
    {
        // When
        var parse = CliApp.Build().Parse(["sde-step", "--input", "a", "--output", "b", "--kind", "cps"]);

        // Then
        Assert.Empty(parse.Errors);
    }
}
