namespace FlowTune.Training;

/// <summary>Derives independent, reproducible seeds from (run seed, stream, index) with SplitMix64.</summary>
public static class Seeds
{
    /// <summary>A 64-bit seed for item <paramref name="index"/> of stream <paramref name="stream"/>.</summary>
    public static ulong Derive(long runSeed, long stream, long index)
    {
        var z = unchecked((ulong)runSeed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + (ulong)index * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A non-negative 31-bit seed (for System.Random and managed renderers).</summary>
    public static int Derive31(long runSeed, long stream, long index) => (int)(Derive(runSeed, stream, index) >> 33);
}
