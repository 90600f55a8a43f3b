using FlowTune.Worlds;

namespace FlowTune.Rl.Prompts;

/// <summary>GenEval-format prompts (a JSONL file or a world's split): tag = the GenEval tag name, metadata = the entry.</summary>
public sealed class GenEvalPromptSource(IReadOnlyList<GenEvalEntry> entries) : IPromptSource
{
    /// <inheritdoc/>
    public IReadOnlyList<PromptItem> Prompts { get; } = [.. entries.Select(e => new PromptItem(e.Prompt, GenEvalTags.Name(e.Tag), e))];

    /// <inheritdoc/>
    public IReadOnlyList<string> Tags => GenEvalTagDraw.TagOrder;
}
