namespace FlowTune.Common;

/// <summary>Turns a list of problems (from an options record's Validate()) into one exception listing all of them.</summary>
public static class Validation
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="what"/> and every problem, if there is any.</summary>
    public static void ThrowIfAny(IEnumerable<string> problems, string what)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var list = problems.ToList();
        if (list.Count > 0)
        {
            throw new ArgumentException($"invalid {what}: {string.Join("; ", list)}");
        }
    }
}
