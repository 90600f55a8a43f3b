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

    [Fact]
    public void Should_RefuseACudaDefault_When_LibtorchSeesNoSuchDevice()
    {
        // Given: one index past the devices libtorch sees (none on a CPU build)
        var count = TorchRuntime.CudaDeviceCount;
        var missing = Device.Cuda(count);

        // When
        var error = Assert.Throws<ArgumentException>(() => TorchRuntime.DefaultDevice = missing);
        var scoped = Assert.Throws<ArgumentException>(() => TorchRuntime.UseDevice(missing));

        // Then: the message names the device and what libtorch sees, and the default is unchanged
        Assert.Contains($"cuda:{count}", error.Message, StringComparison.Ordinal);
        Assert.Contains(count == 0 ? "no CUDA device" : $"{count} CUDA device", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, scoped.Message);
        Assert.Equal(Device.Cpu, TorchRuntime.DefaultDevice);
    }

    [GpuFact]
    public void Should_MakeTensorsOnTheDefaultDevice_When_ADeviceScopeIsActive()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        var onCpu = Tensor.Randn([3, 5], g1);

        // When
        Tensor zeros, fromArray, noise;
        using (TorchRuntime.UseDevice(Device.Cuda()))
        {
            zeros = Tensor.Zeros([2]);
            fromArray = Tensor.FromArray([1f, 2f], 2);
            noise = Tensor.Randn([3, 5], g2);
        }
        var after = Tensor.Zeros([2]);

        // Then: made on the GPU inside the scope, the same noise as on the CPU, and the CPU again after it
        Assert.Equal(DeviceType.Cuda, zeros.Device.Type);
        Assert.Equal(DeviceType.Cuda, fromArray.Device.Type);
        Assert.Equal(DeviceType.Cuda, noise.Device.Type);
        Assert.Equal(onCpu.ToArray<float>(), noise.ToArray<float>());
        Assert.Equal(DeviceType.Cpu, after.Device.Type);
    }
}
