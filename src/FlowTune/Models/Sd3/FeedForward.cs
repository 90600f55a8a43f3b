using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>FeedForward</c> with <c>gelu-approximate</c>: <c>net.0.proj</c> (D → 4D), GELU with the tanh
/// approximation, (<c>net.1</c> is dropout), <c>net.2</c> (4D → D).
/// </summary>
public sealed class FeedForward : Module
{
    private readonly Linear _in;
    private readonly Linear _out;

    /// <summary>Creates the MLP of width <paramref name="width"/> with a 4× hidden layer.</summary>
    public FeedForward(int width, Generator generator)
    {
        var net = RegisterModule("net", new ModuleGroup());
        var gelu = net.Add("0", new ModuleGroup());
        _in = gelu.Add("proj", new Linear(width, 4L * width, generator));
        _out = net.Add("2", new Linear(4L * width, width, generator));
    }

    /// <summary>[.., D] → [.., D].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter(_out.Forward(F.Gelu(_in.Forward(x), tanhApproximation: true)));
    }
}
