using FlowTune.Worlds.Shapes;

namespace FlowTune.Worlds;

/// <summary>Worlds by name.</summary>
public static class WorldRegistry
{
    private static readonly Dictionary<string, Func<IWorld>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["shapes"] = () => new ShapesWorld(),
    };

    /// <summary>Registered names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The world called <paramref name="name"/>; the error lists the known names.</summary>
    public static IWorld Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Factories.TryGetValue(name, out var make)
            ? make()
            : throw new ArgumentException($"unknown world '{name}' (known: {string.Join(", ", Factories.Keys)})");
    }
}
