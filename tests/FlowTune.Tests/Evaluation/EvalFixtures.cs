using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Torch;
using FlowTune.Worlds;
using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Evaluation;

/// <summary>Small inputs for evaluation tests.</summary>
internal static class EvalFixtures
{
    /// <summary>The first test prompt of each tag of the shapes world.</summary>
    public static List<GenEvalEntry> OnePromptPerTag()
    {
        var (_, test) = new ShapesWorld().DefaultPrompts();
        return GenEvalTags.All.Select(t => test.First(e => e.Tag == t)).ToList();
    }

    /// <summary>An untrained tiny U-Net for 16×16 images (seeded).</summary>
    public static FlowModel TinyModel()
    {
        using var generator = new Generator(1);
        return new FlowModel(ModelPresets.Get("tiny-unet", 16), new Tokenizer(["a", "circle"], 8), generator);
    }
}
