namespace FlowTune.Rl.Prompts;

/// <summary>Where an RL run's training prompts come from (a prompt file, a world's built-in split, a data set).</summary>
public interface IPromptSource
{
    /// <summary>The training prompts (the epoch's draws are indices into this list).</summary>
    IReadOnlyList<PromptItem> Prompts { get; }

    /// <summary>Every tag the source knows, in a fixed order (it numbers the tag draw, so it fixes which prompts are drawn).</summary>
    IReadOnlyList<string> Tags { get; }
}
