using FlowTune.Cli.Launch;
using FlowTune.Distributed;

namespace FlowTune.Tests.Distributed;

public sealed class LaunchEnvironmentTests
{
    private static Func<string, string?> Variables(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Should_ReadTorchrunsVariables_When_WorldSizeIsAboveOne()
    {
        // Given
        var env = Variables(("RANK", "3"), ("WORLD_SIZE", "8"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "node0"), ("MASTER_PORT", "29500"));

        // When
        var launch = LaunchEnvironment.Read(env);

        // Then
        Assert.Equal(new LaunchEnvironment(3, 8, 1, "node0", 29500), launch);
        Assert.Equal(launch, LaunchEnvironment.Read(Variables([.. launch!.ToVariables().Select(p => (p.Key, p.Value))])));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    public void Should_RunAlone_When_WorldSizeIsUnsetOrOne(string? world)
    {
        // Given / When
        var launch = LaunchEnvironment.Read(name => name == "WORLD_SIZE" ? world : "garbage");

        // Then
        Assert.Null(launch);
    }

    [Fact]
    public void Should_NameEveryBadVariable_When_TheLaunchIsIncomplete()
    {
        // Given: a rank outside the world, a port out of range, no master address
        var env = Variables(("RANK", "4"), ("WORLD_SIZE", "4"), ("MASTER_PORT", "70000"));

        // When
        var error = Assert.Throws<ArgumentException>(() => LaunchEnvironment.Read(env));

        // Then
        Assert.Contains("RANK must be an integer in [0, 3], got '4'", error.Message);
        Assert.Contains("MASTER_PORT must be an integer in [1, 65535], got '70000'", error.Message);
        Assert.Contains("MASTER_ADDR is not set", error.Message);
    }

    [Fact]
    public void Should_DropNprocAndItsValue_When_LaunchingTheRanks()
    {
        // Given / When
        var args = LocalLauncher.WithoutNproc(["pretrain", "--nproc", "2", "--out", "x", "--nproc=3", "--steps", "5"]).ToList();

        // Then
        Assert.Equal(["pretrain", "--out", "x", "--steps", "5"], args);
    }
}
