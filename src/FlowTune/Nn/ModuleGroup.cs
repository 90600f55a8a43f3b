namespace FlowTune.Nn;

/// <summary>
/// A container of named children and nothing else, for state-dict layouts that nest modules under plain names:
/// PyTorch's <c>ModuleList</c> (<c>transformer_blocks.0</c>), <c>Sequential</c> with parameter-free gaps
/// (<c>ff.net.0</c>, <c>ff.net.2</c>) or <c>to_out.0</c>.
/// </summary>
public sealed class ModuleGroup : Module
{
    /// <summary>Adds a child under <paramref name="name"/> and returns it.</summary>
    public T Add<T>(string name, T module) where T : Module => RegisterModule(name, module);
}
