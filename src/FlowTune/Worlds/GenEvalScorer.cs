namespace FlowTune.Worlds;

/// <summary>
/// Scores detections against a GenEval metadata entry exactly as GenEval's <c>evaluate</c> (strict benchmark
/// correctness) and Flow-GRPO's <c>evaluate_reward</c> (partial-credit training reward) do:
/// <list type="bullet">
/// <item>Detections are grouped by class (<see cref="DetectionGroups"/>), with GenEval's higher threshold for counting entries.</item>
/// <item>Correct: for each include clause the top-<c>count</c> detections of the class must exist, all have the
/// colour if one is required, and each must stand in the required relation to each matched object of the reference
/// clause (<see cref="PositionRelations.Holds"/>); each exclude clause needs fewer than <c>count</c> detections.</item>
/// <item>Reward: per include clause a count term <c>1 − |count − found| / count</c> over all detections of the class,
/// clamped to [0, 1] (Flow-GRPO does not clamp: 3 circles for "a circle" would give −1); if a colour is required a
/// colour term (0 when the count is off, else the same formula over the number with the colour); if a position is
/// required a 0/1 position term (0 when the count or colour is off). Deviation: Flow-GRPO appends a spurious 1
/// after a failed position check; here a failed position is exactly 0. The reward is the mean of the terms.</item>
/// </list>
/// </summary>
public sealed class GenEvalScorer
{
    private readonly GenEvalScoringOptions _options;

    /// <summary>Creates a scorer.</summary>
    /// <param name="options">Thresholds; GenEval's values when null.</param>
    public GenEvalScorer(GenEvalScoringOptions? options = null)
    {
        _options = options ?? new GenEvalScoringOptions();
    }

    /// <summary>The options in use.</summary>
    public GenEvalScoringOptions Options => _options;

    /// <summary>Scores one image's detections for one entry.</summary>
    /// <param name="entry">The metadata entry.</param>
    /// <param name="detections">The detector's output for the image.</param>
    public GenEvalScore Score(GenEvalEntry entry, IReadOnlyList<DetectedObject> detections)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(detections);
        double threshold = entry.Tag == GenEvalTag.Counting ? _options.CountingConfidenceThreshold : _options.ConfidenceThreshold;
        var groups = new DetectionGroups(detections, threshold, _options.MaxObjectsPerClass);
        var reasons = new Reasons();
        bool correct = EvaluateStrict(entry, groups, reasons);
        var components = new List<RewardComponent>();
        bool exact = EvaluateReward(entry, groups, components);
        double reward = components.Count > 0 ? components.Average(c => c.Value) : 0;
        return new GenEvalScore(correct, exact, reward, components, reasons.Texts) { Cause = reasons.First, Causes = reasons.Causes };
    }

    private bool EvaluateStrict(GenEvalEntry entry, DetectionGroups groups, Reasons reasons)
    {
        bool correct = true;
        var matchedGroups = new List<IReadOnlyList<DetectedObject>?>();
        foreach (IncludeClause req in entry.Include)
        {
            IReadOnlyList<DetectedObject> found = groups.Of(req.ClassName).Take(req.Count).ToList();
            bool matched = true;
            if (found.Count < req.Count)
            {
                matched = false;
                reasons.Add(GenEvalFailure.MissingObjects, $"expected {req.ClassName}>={req.Count}, found {found.Count}");
            }
            else
            {
                if (req.Color is not null)
                {
                    int withColor = found.Count(o => o.Color == req.Color);
                    if (withColor < req.Count)
                    {
                        matched = false;
                        reasons.Add(GenEvalFailure.WrongColor, $"expected {req.Color} {req.ClassName}>={req.Count}, found {withColor} {req.Color}");
                    }
                }

                if (req.Position is not null && matched)
                {
                    matched = CheckPosition(req, found, matchedGroups[req.Position.ReferenceIndex], reasons);
                }
            }

            correct &= matched;
            matchedGroups.Add(matched ? found : null);
        }

        foreach (ExcludeClause req in entry.Exclude)
        {
            int n = groups.Of(req.ClassName).Count;
            if (n >= req.Count)
            {
                correct = false;
                reasons.Add(GenEvalFailure.ExtraObjects, $"expected {req.ClassName}<{req.Count}, found {n}");
            }
        }

        return correct;
    }

    private bool EvaluateReward(GenEvalEntry entry, DetectionGroups groups, List<RewardComponent> components)
    {
        bool exact = true;
        var matchedGroups = new List<IReadOnlyList<DetectedObject>?>();
        for (int i = 0; i < entry.Include.Count; i++)
        {
            IncludeClause req = entry.Include[i];
            IReadOnlyList<DetectedObject> found = groups.Of(req.ClassName);
            components.Add(new RewardComponent($"include[{i}].count", CountCredit(req.Count, found.Count)));
            bool matched = found.Count == req.Count;
            if (req.Color is not null)
            {
                int withColor = matched ? found.Count(o => o.Color == req.Color) : 0;
                components.Add(new RewardComponent($"include[{i}].color", matched ? CountCredit(req.Count, withColor) : 0));
                matched &= withColor == req.Count;
            }

            if (req.Position is not null)
            {
                IReadOnlyList<DetectedObject>? target = matchedGroups[req.Position.ReferenceIndex];
                matched = matched && target is not null && CheckPosition(req, found, target, reasons: null);
                components.Add(new RewardComponent($"include[{i}].position", matched ? 1 : 0));
            }

            exact &= matched;
            matchedGroups.Add(matched ? found : null);
        }

        return exact;
    }

    private bool CheckPosition(IncludeClause req, IReadOnlyList<DetectedObject> found, IReadOnlyList<DetectedObject>? target, Reasons? reasons)
    {
        PositionRelation relation = req.Position!.Relation;
        string relationName = PositionRelations.Name(relation);
        if (target is null)
        {
            reasons?.Add(GenEvalFailure.MissingObjects, $"no target for {req.ClassName} to be {relationName}");
            return false;
        }

        foreach (DetectedObject obj in found)
        {
            foreach (DetectedObject targetObj in target)
            {
                if (!PositionRelations.Holds(obj.Box, targetObj.Box, relation, _options.PositionThreshold))
                {
                    reasons?.Add(GenEvalFailure.WrongPosition, $"expected {req.ClassName} {relationName} target, found otherwise");
                    return false;
                }
            }
        }

        return true;
    }

    private static double CountCredit(int required, int found) =>
        Math.Clamp(1.0 - (Math.Abs(required - found) / (double)required), 0.0, 1.0);

    /// <summary>Failure texts in GenEval's wording, and the cause of the first.</summary>
    private sealed class Reasons
    {
        public List<string> Texts { get; } = [];

        public List<GenEvalFailure> Causes { get; } = [];

        public GenEvalFailure First { get; private set; }

        public void Add(GenEvalFailure cause, string text)
        {
            if (Texts.Count == 0)
            {
                First = cause;
            }
            Texts.Add(text);
            Causes.Add(cause);
        }
    }
}
