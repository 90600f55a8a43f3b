namespace FlowTune.Worlds;

/// <summary>Small deterministic helpers over <see cref="Random"/> (same seed, same sequence).</summary>
public static class RandomExtensions
{
    /// <summary>
    /// A deterministic seed for item <paramref name="index"/> of a stream seeded with <paramref name="seed"/>
    /// (SplitMix64 finaliser), so that parallel or reordered work draws the same numbers for the same item.
    /// </summary>
    /// <param name="seed">The stream's seed.</param>
    /// <param name="index">The item's index.</param>
    public static int DeriveSeed(int seed, long index)
    {
        unchecked
        {
            ulong z = ((ulong)(uint)seed << 32) ^ (ulong)index;
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    /// <summary>A standard normal sample (Box–Muller, one of the pair).</summary>
    /// <param name="random">The generator.</param>
    public static double NextGaussian(this Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u1 = 1.0 - random.NextDouble(); // (0, 1]
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Adds <paramref name="sigma"/> × a standard normal sample to every element (polar Box–Muller, both values of
    /// each pair used).
    /// </summary>
    /// <param name="random">The generator.</param>
    /// <param name="values">The values, modified.</param>
    /// <param name="sigma">Standard deviation.</param>
    public static void AddGaussian(this Random random, Span<float> values, double sigma)
    {
        ArgumentNullException.ThrowIfNull(random);
        int i = 0;
        while (i < values.Length)
        {
            double u, v, s;
            do
            {
                u = (2 * random.NextDouble()) - 1;
                v = (2 * random.NextDouble()) - 1;
                s = (u * u) + (v * v);
            }
            while (s >= 1 || s == 0);
            double factor = sigma * Math.Sqrt(-2 * Math.Log(s) / s);
            values[i++] += (float)(u * factor);
            if (i < values.Length)
            {
                values[i++] += (float)(v * factor);
            }
        }
    }

    /// <summary>A uniform sample in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    /// <param name="random">The generator.</param>
    /// <param name="min">Lower bound.</param>
    /// <param name="max">Upper bound.</param>
    public static double NextDouble(this Random random, double min, double max)
    {
        ArgumentNullException.ThrowIfNull(random);
        return min + ((max - min) * random.NextDouble());
    }

    /// <summary>Picks one element uniformly.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="random">The generator.</param>
    /// <param name="items">A non-empty list.</param>
    public static T Pick<T>(this Random random, IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        return items[random.Next(items.Count)];
    }

    /// <summary>Shuffles a list in place (Fisher–Yates).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="random">The generator.</param>
    /// <param name="items">The list.</param>
    public static void ShuffleInPlace<T>(this Random random, IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
