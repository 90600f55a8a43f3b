namespace FlowTune.Worlds;

/// <summary>GenEval's four spatial relations ("A left of B" means A's centre is left of B's).</summary>
public enum PositionRelation
{
    /// <summary>"left of".</summary>
    LeftOf,

    /// <summary>"right of".</summary>
    RightOf,

    /// <summary>"above" (smaller y; y grows downwards).</summary>
    Above,

    /// <summary>"below".</summary>
    Below,
}
