namespace FlowTune.Worlds.Shapes;

/// <summary>
/// Splits a component that is too large for one object into the objects it merged (blur can bridge a small gap):
/// the cores at half the component's peak saliency are labelled, and if at least two are large enough, every
/// pixel of the component is given to the core that reaches it first in a breadth-first growth (a discrete
/// watershed). Components of plausible size are never split, so thin rings are never cut into arcs.
/// </summary>
internal static class ComponentSplitter
{
    public static List<ForegroundComponent> Split(ForegroundComponents fg, ForegroundComponent component, int minCoreArea, ref int nextLabel)
    {
        int w = fg.Width;
        float[] s = fg.Saliency;
        float peak = component.Pixels.Max(p => s[p]);
        float coreThreshold = 0.5f * peak;
        var inComponent = new HashSet<int>(component.Pixels);
        var coreOf = new Dictionary<int, int>();
        var cores = new List<List<int>>();
        foreach (int start in component.Pixels)
        {
            if (s[start] < coreThreshold || coreOf.ContainsKey(start))
            {
                continue;
            }

            var core = new List<int>();
            var stack = new Stack<int>();
            coreOf[start] = cores.Count;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                core.Add(p);
                foreach (int q in Neighbours(p, w, fg.Height))
                {
                    if (inComponent.Contains(q) && s[q] >= coreThreshold && !coreOf.ContainsKey(q))
                    {
                        coreOf[q] = cores.Count;
                        stack.Push(q);
                    }
                }
            }

            cores.Add(core);
        }

        var large = Enumerable.Range(0, cores.Count).Where(k => cores[k].Count >= minCoreArea).ToList();
        if (large.Count < 2)
        {
            return [component];
        }

        // Breadth-first growth from the large cores over the component's pixels.
        var owner = new Dictionary<int, int>();
        var queue = new Queue<int>();
        for (int k = 0; k < large.Count; k++)
        {
            foreach (int p in cores[large[k]])
            {
                owner[p] = k;
                queue.Enqueue(p);
            }
        }

        while (queue.Count > 0)
        {
            int p = queue.Dequeue();
            foreach (int q in Neighbours(p, w, fg.Height))
            {
                if (inComponent.Contains(q) && !owner.ContainsKey(q))
                {
                    owner[q] = owner[p];
                    queue.Enqueue(q);
                }
            }
        }

        var parts = new List<ForegroundComponent>();
        for (int k = 0; k < large.Count; k++)
        {
            List<int> pixels = component.Pixels.Where(p => owner.TryGetValue(p, out int o) && o == k).ToList();
            int label = k == 0 ? component.Label : ++nextLabel;
            foreach (int p in pixels)
            {
                fg.Labels[p] = label;
            }

            parts.Add(new ForegroundComponent(label, pixels, pixels.Min(p => p % w), pixels.Min(p => p / w), pixels.Max(p => p % w), pixels.Max(p => p / w)));
        }

        return parts;
    }

    private static IEnumerable<int> Neighbours(int p, int w, int h)
    {
        int px = p % w;
        int py = p / w;
        for (int ny = Math.Max(0, py - 1); ny <= Math.Min(h - 1, py + 1); ny++)
        {
            for (int nx = Math.Max(0, px - 1); nx <= Math.Min(w - 1, px + 1); nx++)
            {
                if (nx != px || ny != py)
                {
                    yield return (ny * w) + nx;
                }
            }
        }
    }
}
