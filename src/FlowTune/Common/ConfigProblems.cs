using System.Text.RegularExpressions;

namespace FlowTune.Common;

/// <summary>
/// One problem of a config: where it is (<paramref name="Source"/> file and 1-based <paramref name="Line"/>, when the
/// value came from a file), the key path (<c>objective.clip_range</c>), the offending value as written (null when the
/// key is missing) and what is expected.
/// </summary>
public sealed record ConfigProblem(string Source, int? Line, string Path, string? Value, string Expected)
{
    /// <summary>
    /// Splits an options record's validation message (<c>objective.clip_range must be positive, got -1</c>, or
    /// <c>key: value: what</c>) into its key path, value and expectation; null when it does not start with a key path.
    /// </summary>
    public static (string Path, string? Value, string Expected)? Split(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = Regex.Match(message, @"^(?<path>[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?<rest>[:\s/].*)$", RegexOptions.Singleline);
        if (!match.Success)
        {
            return null;
        }
        var path = match.Groups["path"].Value;
        var rest = match.Groups["rest"].Value.TrimStart('/', ' ', ':');
        if (Regex.Match(rest, @"^(?<what>.*?), got (?<value>.*)$", RegexOptions.Singleline) is { Success: true } got)
        {
            return (path, got.Groups["value"].Value.Trim('\''), got.Groups["what"].Value);
        }
        if (!message.StartsWith(path + " ", StringComparison.Ordinal)
            && Regex.Match(rest, @"^(?<value>[^:]+): (?<what>.+)$", RegexOptions.Singleline) is { Success: true } colon)
        {
            return (path, colon.Groups["value"].Value, colon.Groups["what"].Value);
        }
        return (path, null, rest);
    }

    /// <summary><c>file:line: key.path: value: what is expected</c>.</summary>
    public override string ToString() =>
        $"{Source}{(Line is { } l ? $":{l}" : "")}: {Path}: {(Value is null ? "" : Value + ": ")}{Expected}";
}

/// <summary>
/// Every problem of a config at once (type errors, unknown keys, missing files, out-of-range values, conflicts); a
/// usage error (exit code 2). The message lists one problem per line.
/// </summary>
public sealed class ConfigException : ArgumentException
{
    /// <summary>Makes the exception for <paramref name="problems"/> (at least one) of config <paramref name="source"/>.</summary>
    public ConfigException(string source, IReadOnlyList<ConfigProblem> problems)
        : base(Format(source, problems))
    {
        Source = source;
        Problems = problems;
    }

    /// <summary>The config file (or text source) that has the problems.</summary>
    public new string Source { get; }

    /// <summary>The problems, in file order where known.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string Format(string source, IReadOnlyList<ConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var count = problems.Count == 1 ? "1 problem" : $"{problems.Count} problems";
        return $"invalid config {source} ({count}):" + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
    }
}
