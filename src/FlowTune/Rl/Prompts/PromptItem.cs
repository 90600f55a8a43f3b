namespace FlowTune.Rl.Prompts;

/// <summary>
/// One training prompt: its text, an optional tag (the unit of tag-balanced draws and per-tag metrics) and the
/// metadata its reward needs (e.g. a GenEval entry), passed to the reward untouched.
/// </summary>
public sealed record PromptItem(string Text, string? Tag = null, object? Metadata = null);
