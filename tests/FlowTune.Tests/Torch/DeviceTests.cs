using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

public sealed class DeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceType.Cpu, -1)]
    [InlineData("cuda", DeviceType.Cuda, 0)]
    [InlineData("CUDA:1", DeviceType.Cuda, 1)]
    public void Should_ParseDevice_When_TextIsValid(string text, DeviceType type, int index)
    {
        // When
        var device = Device.Parse(text);

        // Then
        Assert.Equal(new Device(type, index), device);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void Should_Throw_When_DeviceTextIsInvalid(string text)
    {
        // When / Then
        Assert.Throws<FormatException>(() => Device.Parse(text));
    }

    [Fact]
    public void Should_FailWithLibtorchMessage_When_CudaIsMissing()
    {
        // Given
        if (TorchRuntime.CudaDeviceCount > 0)
        {
            return; // covered by the GPU test below on machines with CUDA
        }
        using var scope = TensorScope.Enter();
        var x = Tensor.Ones([2]);

        // When
        var error = Assert.Throws<TorchException>(() => x.To(Device.Cuda()));

        // Then
        Assert.Contains("CUDA", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [GpuFact]
    public void Should_ComputeOnGpu_When_CudaIsAvailable()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(1);
        var a = Tensor.Randn([64, 32], generator);
        var b = Tensor.Randn([32, 16], generator);

        // When
        var onGpu = a.To(Device.Cuda()).Matmul(b.To(Device.Cuda()));
        var back = onGpu.To(Device.Cpu);
        var expected = a.Matmul(b);

        // Then
        Assert.Equal(DeviceType.Cuda, onGpu.Device.Type);
        Assert.True((back - expected).Abs().Max().Item() < 1e-3);
    }
}
