using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// A prompt-embedding cache in front of a frozen <see cref="IPromptEncoder"/>: each prompt not seen recently is
/// encoded alone (a batch of one, so an embedding does not depend on which prompts shared its batch or on what the
/// cache held: a resumed run gets the numbers the interrupted one got) and kept on its device; a batch is assembled
/// from the kept rows. At most <c>capacity</c> prompts are kept, least recently used dropped first.
/// </summary>
public sealed class CachedPromptEncoder : IPromptEncoder
{
    private readonly IPromptEncoder _inner;
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Prompt, TextBatch Row)>> _rows = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Prompt, TextBatch Row)> _recency = new();   // most recently used first

    /// <summary>Wraps <paramref name="inner"/> (owned: disposed with this) keeping up to <paramref name="capacity"/> prompts.</summary>
    public CachedPromptEncoder(IPromptEncoder inner, int capacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        _capacity = capacity;
    }

    /// <summary>Prompts encoded by the wrapped encoder so far (cache misses).</summary>
    public long Misses { get; private set; }

    /// <summary>Prompts served from the cache so far.</summary>
    public long Hits { get; private set; }

    /// <summary>Prompts kept now.</summary>
    public int Count => _rows.Count;

    /// <inheritdoc />
    public TextBatch Encode(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return _inner.Encode(prompts);
        }
        var rows = new List<TextBatch>(prompts.Count);
        foreach (var prompt in prompts)
        {
            rows.Add(Row(prompt));
        }
        // the batch is assembled before anything is evicted, so rows of this batch stay alive until copied
        var batch = new TextBatch(Tensor.Cat([.. rows.Select(r => r.Tokens)]), Tensor.Cat([.. rows.Select(r => r.PaddingMask)]),
            Tensor.Cat([.. rows.Select(r => r.Pooled)]));                          // [B, L, D], [B, L], [B, P]
        while (_rows.Count > _capacity)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _rows.Remove(oldest.Value.Prompt);
            oldest.Value.Row.Dispose();
        }
        return batch;
    }

    private TextBatch Row(string prompt)
    {
        if (_rows.TryGetValue(prompt, out var node))
        {
            Hits++;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Row;
        }
        Misses++;
        TextBatch row;
        using (var encoded = _inner.Encode([prompt]))                              // [1, L, D], [1, L], [1, P]
        {
            row = encoded.Detach();
        }
        row.Tokens.DetachFromScope();
        row.PaddingMask.DetachFromScope();
        row.Pooled.DetachFromScope();
        _rows[prompt] = _recency.AddFirst((prompt, row));
        return row;
    }

    /// <summary>Frees the kept embeddings and the wrapped encoder.</summary>
    public void Dispose()
    {
        foreach (var (_, row) in _recency)
        {
            row.Dispose();
        }
        _recency.Clear();
        _rows.Clear();
        _inner.Dispose();
    }
}
