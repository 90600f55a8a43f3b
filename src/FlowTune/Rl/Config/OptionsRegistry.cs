namespace FlowTune.Rl.Config;

/// <summary>
/// The implementations one config section can name (<c>objective: {name: nft, …}</c>): name → options type. The
/// options type is a record with the section's fields; it creates the stage object. The first entry is the default
/// when the section is absent. A new objective, estimator or planner is its file plus one entry here.
/// </summary>
public sealed class OptionsRegistry<TOptions>
    where TOptions : class
{
    private readonly IReadOnlyList<(string Name, Type Type)> _entries;

    /// <summary>Registers <paramref name="entries"/> for section <paramref name="section"/>.</summary>
    public OptionsRegistry(string section, params (string Name, Type Type)[] entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            throw new ArgumentException("a registry needs at least one entry", nameof(entries));
        }
        foreach (var (name, type) in entries)
        {
            if (!typeof(TOptions).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new ArgumentException($"{section}.{name}: {type.Name} must implement {typeof(TOptions).Name} and have a parameterless constructor");
            }
        }
        Section = section;
        _entries = entries;
    }

    /// <summary>The config section (e.g. "objective").</summary>
    public string Section { get; }

    /// <summary>Every registered name, in order.</summary>
    public IEnumerable<string> Names => _entries.Select(e => e.Name);

    /// <summary>The options type of <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public Type TypeOf(string name) =>
        _entries.FirstOrDefault(e => e.Name == name).Type
        ?? throw new InvalidDataException($"{Section}.name: unknown '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>The registered name of an options object.</summary>
    public string NameOf(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _entries.FirstOrDefault(e => e.Type == options.GetType()).Name
            ?? throw new ArgumentException($"{options.GetType().Name} is not registered for {Section}");
    }

    /// <summary>The default options (the first entry's defaults).</summary>
    public TOptions CreateDefault() => (TOptions)Activator.CreateInstance(_entries[0].Type)!;
}
