using System.Text.RegularExpressions;

namespace FlowTune.Tests.Architecture;

/// <summary>One reference from a source file to a FlowTune namespace.</summary>
/// <param name="Layer">The referenced layer (the namespace's segment after <c>FlowTune.</c>).</param>
/// <param name="Line">1-based line of the reference.</param>
/// <param name="Text">The reference as written.</param>
internal sealed record LayerReference(string Layer, int Line, string Text);

/// <summary>
/// Which layer a C# file belongs to and which layers it names: <c>using FlowTune.X</c> in every form (static, alias,
/// global), fully qualified names (<c>FlowTune.X.T</c>, <c>global::FlowTune.X.T</c>) and, because a file inside
/// <c>namespace FlowTune.Y</c> can name <c>FlowTune.X.T</c> as <c>X.T</c>, names qualified by a known layer alone.
/// Comments and literal text are ignored (<see cref="CodeText"/>).
/// </summary>
internal static partial class LayerReferences
{
    /// <summary>The layer of the file's namespace (null when it declares no <c>FlowTune.*</c> namespace).</summary>
    public static string? OwnLayer(string source)
    {
        var match = NamespaceDeclaration().Match(CodeText.Strip(source));
        return match.Success ? match.Groups["layer"].Value : null;
    }

    /// <summary>Every reference of <paramref name="source"/> to a FlowTune namespace; <paramref name="knownLayers"/> are the names a partially qualified reference may start with.</summary>
    public static IReadOnlyList<LayerReference> Find(string source, IEnumerable<string> knownLayers)
    {
        ArgumentNullException.ThrowIfNull(knownLayers);
        var code = NamespaceDeclaration().Replace(CodeText.Strip(source), m => new string(' ', m.Length));
        var found = new List<LayerReference>();
        foreach (Match m in QualifiedName().Matches(code))
        {
            found.Add(new LayerReference(m.Groups["layer"].Value, LineOf(code, m.Index), m.Value));
        }
        var relative = new Regex(@"(?<![\w.:])(?<layer>" + string.Join("|", knownLayers.Select(Regex.Escape)) + @")\s*\.\s*(?=[A-Za-z_])");
        foreach (Match m in relative.Matches(code))
        {
            found.Add(new LayerReference(m.Groups["layer"].Value, LineOf(code, m.Index), m.Value.Trim()));
        }
        return found.OrderBy(r => r.Line).ToList();
    }

    private static int LineOf(string text, int index) => 1 + text.AsSpan(0, index).Count('\n');

    [GeneratedRegex(@"(?m)^\s*namespace\s+FlowTune\.(?<layer>\w+)[\w.]*\s*[;{]")]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"(?<![\w.])(?:global\s*::\s*)?FlowTune\s*\.\s*(?<layer>\w+)")]
    private static partial Regex QualifiedName();
}
