using FlowTune.Models.Text;
using FlowTune.Training;

namespace FlowTune.Worlds;

/// <summary>
/// Caption-structure labels read from GenEval metadata: for the noun of every include clause, its class, colour, count
/// and spatial role relative to the other object ("a cross left of a ring": cross = left of, ring = right of).
/// A text encoder that must predict these from the noun's output token has to attach each colour word and relation
/// to the right noun, which the flow-matching loss alone did not teach ours (docs/RESULTS.md, issue 5); the class
/// head keeps the noun's own identity in its token (without it, the role drowned it out).
/// </summary>
public sealed class GenEvalCaptionLabels
{
    private readonly IReadOnlyList<string> _classes;
    private readonly IReadOnlyList<string> _colors;
    private readonly int _maxCount;

    /// <summary>Creates the labeller for a world's class names, colour names and largest count.</summary>
    /// <param name="classes">Class names; class k is classes[k].</param>
    /// <param name="colors">Colour names; class k + 1 is colors[k], class 0 "no colour stated".</param>
    /// <param name="maxCount">Largest count a caption can state; class c is count c.</param>
    public GenEvalCaptionLabels(IReadOnlyList<string> classes, IReadOnlyList<string> colors, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(colors);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        _classes = classes;
        _colors = colors;
        _maxCount = maxCount;
        Space = new CaptionLabelSpace([("class", classes.Count), ("colour", colors.Count + 1), ("count", maxCount + 1), ("role", PositionRelations.All.Count + 1)]);
    }

    /// <summary>The heads: class, colour (0 = none stated), count, role (0 = none, 1 + <see cref="PositionRelation"/>).</summary>
    public CaptionLabelSpace Space { get; }

    /// <summary>The labels of the entry's caption; throws when a clause's noun, colour or count is not in the caption or the space.</summary>
    /// <param name="entry">A metadata entry whose prompt names every include clause's class.</param>
    public IReadOnlyList<WordLabels> For(GenEvalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var words = Tokenizer.Words(entry.Prompt).ToList();
        var roles = new int[entry.Include.Count];
        for (var i = 0; i < entry.Include.Count; i++)
        {
            if (entry.Include[i].Position is { } position)
            {
                roles[i] = 1 + (int)position.Relation;
                roles[position.ReferenceIndex] = 1 + (int)PositionRelations.Inverse(position.Relation);
            }
        }
        var labels = new List<WordLabels>();
        var used = new HashSet<int>();
        for (var i = 0; i < entry.Include.Count; i++)
        {
            var clause = entry.Include[i];
            var noun = Enumerable.Range(0, words.Count).FirstOrDefault(
                j => !used.Contains(j) && (words[j] == clause.ClassName || words[j] == GenEvalPrompts.Plural(clause.ClassName)), -1);
            if (noun < 0)
            {
                throw new ArgumentException($"\"{entry.Prompt}\" does not name its class \"{clause.ClassName}\"", nameof(entry));
            }
            used.Add(noun);
            var color = clause.Color is null ? 0 : 1 + IndexOf(_colors, clause.Color, "colour", entry.Prompt);
            if (clause.Count > _maxCount)
            {
                throw new ArgumentException($"\"{entry.Prompt}\" asks for {clause.Count} objects; the labels go up to {_maxCount}", nameof(entry));
            }
            labels.Add(new WordLabels(noun, [IndexOf(_classes, clause.ClassName, "class", entry.Prompt), color, clause.Count, roles[i]]));
        }
        return labels;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name, string kind, string prompt)
    {
        for (var k = 0; k < names.Count; k++)
        {
            if (names[k] == name)
            {
                return k;
            }
        }
        throw new ArgumentException($"\"{prompt}\" uses the {kind} \"{name}\", which is not one of {string.Join(", ", names)}");
    }
}
