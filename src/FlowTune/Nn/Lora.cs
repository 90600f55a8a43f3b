using FlowTune.Torch;

namespace FlowTune.Nn;

/// <summary>Attaching, switching and listing LoRA adapters across a module tree.</summary>
public static class Lora
{
    /// <summary>
    /// Attaches an adapter to every <see cref="Linear"/> whose path ends with one of <paramref name="targets"/>
    /// (e.g. "q_proj", "attn.out_proj", "qkv"); returns the adapted paths. Throws when nothing matches.
    /// </summary>
    public static IReadOnlyList<string> Attach(Module root, IReadOnlyCollection<string> targets, int rank, double alpha, Generator generator, LoraInit init = LoraInit.Uniform)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(targets);
        var matched = root.NamedModules()
            .Where(m => m.Value is Linear && targets.Any(t => m.Key == t || m.Key.EndsWith("." + t, StringComparison.Ordinal)))
            .ToList();
        if (matched.Count == 0)
        {
            throw new ArgumentException($"no Linear layer matches the LoRA targets [{string.Join(", ", targets)}]");
        }
        foreach (var (_, module) in matched)
        {
            ((Linear)module).AttachLora(rank, alpha, generator, init);
        }
        return matched.Select(m => m.Key).ToList();
    }

    /// <summary>Turns every adapter on or off (off = the base model, the RL reference policy).</summary>
    public static void SetEnabled(Module root, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var (_, module) in root.NamedModules())
        {
            if (module is Linear linear)
            {
                linear.LoraEnabled = enabled;
            }
        }
    }

    /// <summary>True for parameter paths that belong to an adapter.</summary>
    public static bool IsAdapterParameter(string path) =>
        path.Contains(".lora.", StringComparison.Ordinal) || path.StartsWith("lora.", StringComparison.Ordinal);

    /// <summary>
    /// The module's state with every adapter merged into its layer (W + (alpha/rank)·B·A) and the adapter tensors
    /// left out: a plain model of the original architecture. The caller owns the returned merged tensors.
    /// </summary>
    public static List<KeyValuePair<string, Tensor>> MergedState(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var merged = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (Autograd.NoGrad())
        {
            foreach (var (path, module) in root.NamedModules())
            {
                if (module is Linear { Lora: { } lora } linear)
                {
                    var delta = lora.B.Matmul(lora.A) * lora.Scale;                  // [out, in]
                    merged[path + ".weight"] = (linear.Weight + delta).DetachFromScope();
                    delta.Dispose();
                }
            }
        }
        return root.StateDict()
            .Where(p => !IsAdapterParameter(p.Key))
            .Select(p => merged.TryGetValue(p.Key, out var m) ? new KeyValuePair<string, Tensor>(p.Key, m) : p)
            .ToList();
    }
}
