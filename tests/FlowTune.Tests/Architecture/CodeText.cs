using System.Text;

namespace FlowTune.Tests.Architecture;

/// <summary>
/// C# source with comments and the text of string and character literals blanked out (replaced by spaces, line breaks
/// kept), so that only code remains: a type named in a comment or a log message is not a dependency. The code inside
/// an interpolated string's holes (<c>$"{Models.X.Y}"</c>) is kept, since it is code.
/// </summary>
internal static class CodeText
{
    /// <summary>Returns <paramref name="source"/> with comments and literal text blanked; same length, same lines.</summary>
    public static string Strip(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var output = new StringBuilder(source.Length);
        var i = 0;
        Code(source, ref i, output, inHole: false);
        return output.ToString();
    }

    /// <summary>Copies code up to the end, or (in an interpolation hole) up to the hole's closing brace.</summary>
    private static void Code(string s, ref int i, StringBuilder o, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = At(s, i + 1);
            if (c == '/' && next == '/')
            {
                var end = s.IndexOf('\n', i);
                Blank(s, ref i, end < 0 ? s.Length : end, o);
            }
            else if (c == '/' && next == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                Blank(s, ref i, end < 0 ? s.Length : end + 2, o);
            }
            else if (c == '\'')
            {
                CharLiteral(s, ref i, o);
            }
            else if (StringStart(s, i) is { } prefix)
            {
                StringLiteral(s, ref i, o, prefix);
            }
            else
            {
                if (inHole && c == '{')
                {
                    depth++;
                }
                else if (inHole && c == '}')
                {
                    if (depth == 0)
                    {
                        return;
                    }
                    depth--;
                }
                o.Append(c);
                i++;
            }
        }
    }

    /// <summary>The prefix length (quote included) when a string literal starts at <paramref name="i"/>.</summary>
    private static int? StringStart(string s, int i)
    {
        if (s[i] == '"')
        {
            return 1;
        }
        if (s[i] is '@' or '$')
        {
            if (At(s, i + 1) == '"')
            {
                return 2;
            }
            if (At(s, i + 1) is '@' or '$' && At(s, i + 2) == '"')
            {
                return 3;
            }
        }
        return null;
    }

    private static void StringLiteral(string s, ref int i, StringBuilder o, int prefixLength)
    {
        var prefix = s.Substring(i, prefixLength);
        var verbatim = prefix.Contains('@', StringComparison.Ordinal);
        var interpolated = prefix.Contains('$', StringComparison.Ordinal);
        if (!verbatim && !interpolated && string.CompareOrdinal(s, i, "\"\"\"", 0, 3) == 0)
        {
            var close = s.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);     // raw string literal
            Blank(s, ref i, close < 0 ? s.Length : close + 3, o);
            return;
        }
        Blank(s, ref i, i + prefixLength, o);
        while (i < s.Length)
        {
            var c = s[i];
            var next = At(s, i + 1);
            if (!verbatim && c == '\\')
            {
                Blank(s, ref i, Math.Min(s.Length, i + 2), o);
            }
            else if (c == '"' && verbatim && next == '"')
            {
                Blank(s, ref i, i + 2, o);
            }
            else if (c == '"')
            {
                Blank(s, ref i, i + 1, o);
                return;
            }
            else if (interpolated && (c, next) is ('{', '{') or ('}', '}'))
            {
                Blank(s, ref i, i + 2, o);
            }
            else if (interpolated && c == '{')
            {
                Blank(s, ref i, i + 1, o);
                Code(s, ref i, o, inHole: true);
                Blank(s, ref i, Math.Min(s.Length, i + 1), o);
            }
            else
            {
                Blank(s, ref i, i + 1, o);
            }
        }
    }

    private static void CharLiteral(string s, ref int i, StringBuilder o)
    {
        var end = i + 1;
        if (At(s, end) == '\\')
        {
            end += 2;
        }
        while (end < s.Length && s[end] != '\'')
        {
            end++;
        }
        Blank(s, ref i, Math.Min(s.Length, end + 1), o);
    }

    private static void Blank(string s, ref int i, int end, StringBuilder o)
    {
        for (; i < end; i++)
        {
            o.Append(s[i] == '\n' ? '\n' : ' ');
        }
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';
}
