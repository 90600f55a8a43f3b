namespace FlowTune.Tests.Torch;

/// <summary>
/// Tests that assert process-wide counts (<see cref="FlowTune.Torch.Tensor.LiveCount"/>,
/// <see cref="FlowTune.Torch.TorchRuntime.LiveNativeTensors"/>). xunit runs this collection after every parallel
/// collection has finished, one test at a time, so nothing else creates or frees tensors meanwhile.
/// </summary>
[CollectionDefinition("Serial", DisableParallelization = true)]
public sealed class SerialCollectionDefinition
{
}
