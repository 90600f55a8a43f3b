namespace FlowTune.Tests;

/// <summary>Assertions on checkpoint folders.</summary>
internal static class CheckpointAssert
{
    /// <summary>Every named file is byte-identical in the two folders.</summary>
    public static void SameFiles(string first, string second, params string[] files)
    {
        foreach (var file in files)
        {
            var a = File.ReadAllBytes(Path.Combine(first, file));
            var b = File.ReadAllBytes(Path.Combine(second, file));
            Assert.True(a.AsSpan().SequenceEqual(b), $"{file} differs between {first} and {second}");
        }
    }
}
