using FlowTune.Models;
using FlowTune.Rl.Objectives;
using FlowTune.Torch;

namespace FlowTune.Tests.Rl.Objectives;

/// <summary>A velocity network that ignores its input: v = c everywhere ([B, 1, 2, 2] samples), c a scalar parameter.</summary>
internal sealed class ConstantVelocity(double value, bool trainable) : IVelocityModel, IDisposable
{
    public Tensor C { get; } = Tensor.FromArray([(float)value], 1).DetachFromScope().WithRequiresGrad(trainable);

    public long[] SampleShape => [1, 2, 2];

    public Tensor Velocity(Tensor x, Tensor t, TextBatch text) => Tensor.ZerosLike(x) + C;

    public TextBatch EncodeText(IReadOnlyList<string> prompts) =>
        new(Tensor.Zeros([prompts.Count, 1]), Tensor.Zeros([prompts.Count, 1]), Tensor.Zeros([prompts.Count, 1]));

    public void Dispose() => C.Dispose();
}

/// <summary>Policy, reference and sampling networks made of <see cref="ConstantVelocity"/> stubs.</summary>
internal sealed class StubNetworks(ConstantVelocity policy, ConstantVelocity reference, ConstantVelocity? sampling = null) : IPolicyNetworks
{
    public IVelocityModel Policy => policy;

    public IVelocityModel? SamplingPolicy => sampling;

    public Tensor ReferenceVelocity(Func<IVelocityModel, Tensor> forward)
    {
        using var noGrad = Autograd.NoGrad();
        return forward(reference);
    }
}
