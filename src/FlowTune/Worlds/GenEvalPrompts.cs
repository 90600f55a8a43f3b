namespace FlowTune.Worlds;

/// <summary>
/// Builds metadata entries with GenEval's prompt templates and clause conventions (GenEval
/// <c>prompts/create_prompts.py</c>): "a"/"an" by the first letter, plurals by adding "s" ("es" after a final
/// "s"), numbers as words, counting excludes <c>count + 1</c>, single_object and two_object have no exclude
/// clause, and "A left of B" lists B first and A second with <c>"position": ["left of", 0]</c>.
/// </summary>
public static class GenEvalPrompts
{
    private static readonly string[] _numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

    /// <summary>Prefixes "a" or "an" (GenEval: "an" before a, e, i, o, u).</summary>
    /// <param name="phrase">The noun phrase.</param>
    public static string WithArticle(string phrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(phrase);
        return "aeiou".Contains(phrase[0], StringComparison.Ordinal) ? $"an {phrase}" : $"a {phrase}";
    }

    /// <summary>GenEval's plural: "es" after a final "s", otherwise "s".</summary>
    /// <param name="noun">The singular noun.</param>
    public static string Plural(string noun)
    {
        ArgumentException.ThrowIfNullOrEmpty(noun);
        return noun.EndsWith('s') ? $"{noun}es" : $"{noun}s";
    }

    /// <summary>The English word for 0–10.</summary>
    /// <param name="number">The number.</param>
    public static string NumberWord(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 10);
        return _numbers[number];
    }

    /// <summary>"a photo of a circle".</summary>
    /// <param name="className">The class.</param>
    public static GenEvalEntry SingleObject(string className) =>
        new(GenEvalTag.SingleObject, $"a photo of {WithArticle(className)}", [new IncludeClause(className, 1)], []);

    /// <summary>"a photo of a circle and a square".</summary>
    /// <param name="first">First class.</param>
    /// <param name="second">Second class.</param>
    public static GenEvalEntry TwoObject(string first, string second) =>
        new(GenEvalTag.TwoObject, $"a photo of {WithArticle(first)} and {WithArticle(second)}",
            [new IncludeClause(first, 1), new IncludeClause(second, 1)], []);

    /// <summary>"a photo of three rings": include count, exclude count + 1.</summary>
    /// <param name="className">The class.</param>
    /// <param name="count">How many, 1–9.</param>
    public static GenEvalEntry Counting(string className, int count) =>
        new(GenEvalTag.Counting, $"a photo of {NumberWord(count)} {Plural(className)}",
            [new IncludeClause(className, count)], [new ExcludeClause(className, count + 1)]);

    /// <summary>"a photo of a blue triangle".</summary>
    /// <param name="className">The class.</param>
    /// <param name="color">The colour.</param>
    public static GenEvalEntry Colors(string className, string color) =>
        new(GenEvalTag.Colors, $"a photo of {WithArticle(color)} {className}", [new IncludeClause(className, 1, color)], []);

    /// <summary>"a photo of a cross left of a ring": include[0] = ring, include[1] = cross with ["left of", 0].</summary>
    /// <param name="subject">The class that is placed (A).</param>
    /// <param name="relation">A's relation to B.</param>
    /// <param name="reference">The reference class (B).</param>
    public static GenEvalEntry Position(string subject, PositionRelation relation, string reference) =>
        new(GenEvalTag.Position,
            $"a photo of {WithArticle(subject)} {PositionRelations.Name(relation)} {WithArticle(reference)}",
            [new IncludeClause(reference, 1), new IncludeClause(subject, 1, null, new PositionClause(relation, 0))], []);

    /// <summary>"a photo of a red circle and a green square".</summary>
    /// <param name="first">First class.</param>
    /// <param name="firstColor">Its colour.</param>
    /// <param name="second">Second class.</param>
    /// <param name="secondColor">Its colour.</param>
    public static GenEvalEntry ColorAttr(string first, string firstColor, string second, string secondColor) =>
        new(GenEvalTag.ColorAttr,
            $"a photo of {WithArticle(firstColor)} {first} and {WithArticle(secondColor)} {second}",
            [new IncludeClause(first, 1, firstColor), new IncludeClause(second, 1, secondColor)], []);
}
