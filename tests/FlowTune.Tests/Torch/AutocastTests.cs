using FlowTune.Torch;

namespace FlowTune.Tests.Torch;

public sealed class AutocastTests
{
    [Fact]
    public void Should_MultiplyInBf16AndRestoreTheOuterState_When_AutocastRegionsNest()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(3);
        var a = Tensor.Randn([8, 16], generator);
        var b = Tensor.Randn([16, 4], generator);

        // When
        DType inner, afterInner, outside;
        bool enabledAfterInner;
        using (Autocast.Enter(DeviceType.Cpu, DType.BFloat16))
        {
            using (Autocast.Enter(DeviceType.Cpu, DType.BFloat16))
            {
                inner = a.Matmul(b).DType;
            }
            enabledAfterInner = Autocast.IsEnabled(DeviceType.Cpu);
            afterInner = a.Matmul(b).DType;
        }
        outside = a.Matmul(b).DType;

        // Then: bf16 products inside, the outer region still on after the inner closes, float32 after both
        Assert.Equal(DType.BFloat16, inner);
        Assert.True(enabledAfterInner);
        Assert.Equal(DType.BFloat16, afterInner);
        Assert.Equal(DType.Float32, outside);
        Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
    }

    [Fact]
    public void Should_RefuseFloat16_When_AutocastingOnTheCpu()
    {
        // When
        var error = Assert.Throws<TorchException>(() => Autocast.Enter(DeviceType.Cpu, DType.Float16));

        // Then
        Assert.Contains("CPU autocast supports only bfloat16", error.Message, StringComparison.Ordinal);
        Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
    }

    [Fact]
    public void Should_MapEachSettingToItsDtype_When_MixedPrecisionIsChosen()
    {
        // When / Then
        Assert.Null(MixedPrecision.No.ComputeType());
        Assert.Equal(DType.BFloat16, MixedPrecision.Bf16.ComputeType());
        Assert.Equal(DType.Float16, MixedPrecision.Fp16.ComputeType());
        Assert.Null(MixedPrecision.No.Enter(DeviceType.Cpu));
    }
}
