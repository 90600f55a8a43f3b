namespace FlowTune.Tests.Architecture;

/// <summary>
/// Checks source files against an allowed-dependency table: a file of layer A may name layer B only when B is A itself
/// or one of A's allowed layers. Also finds cycles in a table, so that the table itself points one way.
/// </summary>
internal static class LayerChecker
{
    /// <summary>Every forbidden reference, as <c>PATH:LINE: A → B (text)</c>; empty when the files keep to the table.</summary>
    /// <param name="files">Each file's path (for messages) and text.</param>
    /// <param name="allowed">Each layer's allowed lower layers.</param>
    public static IReadOnlyList<string> Violations(IEnumerable<(string Path, string Source)> files, IReadOnlyDictionary<string, IReadOnlySet<string>> allowed)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(allowed);
        var problems = new List<string>();
        foreach (var (path, source) in files)
        {
            var own = LayerReferences.OwnLayer(source);
            if (own is null || !allowed.TryGetValue(own, out var mayUse))
            {
                problems.Add($"{path}: namespace {(own is null ? "missing" : $"FlowTune.{own}")} is not a layer of the table");
                continue;
            }
            foreach (var reference in LayerReferences.Find(source, allowed.Keys))
            {
                if (reference.Layer != own && !mayUse.Contains(reference.Layer))
                {
                    var kind = allowed.ContainsKey(reference.Layer) ? "" : " (not a layer of the table)";
                    problems.Add($"{path}:{reference.Line}: {own} → {reference.Layer}{kind} ({reference.Text})");
                }
            }
        }
        return problems;
    }

    /// <summary>A cycle of the table as <c>A → B → ... → A</c>, or null when it has none.</summary>
    /// <param name="allowed">Each layer's allowed layers.</param>
    public static string? Cycle(IReadOnlyDictionary<string, IReadOnlySet<string>> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var done = new HashSet<string>();
        var path = new List<string>();
        string? Visit(string layer)
        {
            var at = path.IndexOf(layer);
            if (at >= 0)
            {
                return string.Join(" → ", path.Skip(at).Append(layer));
            }
            if (!done.Add(layer))
            {
                return null;
            }
            path.Add(layer);
            foreach (var next in allowed.TryGetValue(layer, out var set) ? set.Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return allowed.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }
}
