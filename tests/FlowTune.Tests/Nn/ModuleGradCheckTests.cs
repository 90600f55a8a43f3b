using FlowTune.Nn;
using FlowTune.Tests.Torch;
using FlowTune.Torch;

namespace FlowTune.Tests.Nn;

public sealed class ModuleGradCheckTests
{
    [Fact]
    public void Should_MatchFiniteDifferences_When_DifferentiatingMlp()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(11);
        using var mlp = new Mlp(generator);
        ToFloat64(mlp, generator);
        var x = Tensor.Randn([2, 3], generator, DType.Float64).WithRequiresGrad();

        // When / Then
        GradCheck.CheckLeaves("Linear→Silu→Linear", () => mlp.Forward(x), Leaves(mlp, ("x", x)));
    }

    [Fact]
    public void Should_MatchFiniteDifferences_When_DifferentiatingConvNet()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(12);
        using var net = new ConvNet(generator);
        ToFloat64(net, generator);
        var x = Tensor.Randn([1, 2, 4, 4], generator, DType.Float64).WithRequiresGrad();

        // When / Then
        GradCheck.CheckLeaves("Conv2d→GroupNorm→Silu→Conv2d", () => net.Forward(x), Leaves(net, ("x", x)));
    }

    [Fact]
    public void Should_MatchFiniteDifferences_When_DifferentiatingAttentionBlock()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(13);
        using var block = new AttentionBlock(generator);
        ToFloat64(block, generator);
        var x = Tensor.Randn([2, 2, 4], generator, DType.Float64).WithRequiresGrad();
        var context = Tensor.Randn([2, 3, 3], generator, DType.Float64).WithRequiresGrad();
        var padding = Tensor.FromArray(new[] { false, false, true, false, true, false }, 2, 3);

        // When
        GradCheck.CheckLeaves("LayerNorm→self-attention+residual→cross-attention(key padding)",
            () => block.Forward(x, context, padding), Leaves(block, ("x", x), ("context", context)));

        // Then: padded keys receive no gradient at all, the others do
        var grad = context.Grad!.ToArray<double>(); // [2, 3, 3]
        for (var b = 0; b < 2; b++)
        {
            for (var t = 0; t < 3; t++)
            {
                var row = grad.AsSpan((b * 3 + t) * 3, 3).ToArray();
                var padded = (b, t) is (0, 2) or (1, 1);
                if (padded)
                {
                    Assert.All(row, g => Assert.Equal(0.0, g));
                }
                else
                {
                    Assert.Contains(row, g => g != 0);
                }
            }
        }
    }

    [Fact]
    public void Should_KeepIdentityAndGrad_When_ParametersAreCastToFloat64()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(14);
        using var linear = new Linear(3, 2, generator);
        var weight = linear.Weight;
        var before = weight.ToArray<float>();

        // When
        ToFloat64(linear, generator: null);

        // Then
        Assert.Same(weight, linear.NamedParameters().First().Value);
        Assert.Equal(DType.Float64, weight.DType);
        Assert.True(weight.RequiresGrad);
        Assert.True(weight.IsLeaf);
        Assert.Equal(before.Select(v => (double)v), weight.ToArray<double>());
    }

    /// <summary>
    /// Casts every parameter to float64 in place (same tensor identity, still a leaf that requires grad) and,
    /// with a generator, perturbs it so norms start away from weight 1 / bias 0.
    /// </summary>
    private static void ToFloat64(Module module, Generator? generator)
    {
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        foreach (var (_, p) in module.NamedParameters())
        {
            var d = p.To(DType.Float64);
            p.SetData(d);
            if (generator is not null)
            {
                p.Add_(Tensor.Randn(p.Shape, generator, DType.Float64), 0.2);
            }
        }
    }

    private static List<KeyValuePair<string, Tensor>> Leaves(Module module, params (string Name, Tensor Tensor)[] inputs) =>
        inputs.Select(i => new KeyValuePair<string, Tensor>(i.Name, i.Tensor))
            .Concat(module.NamedParameters().Select(p => new KeyValuePair<string, Tensor>("parameter " + p.Key, p.Value)))
            .ToList();

    private sealed class Mlp : Module
    {
        public Mlp(Generator generator)
        {
            Fc1 = RegisterModule("fc1", new Linear(3, 5, generator));
            Fc2 = RegisterModule("fc2", new Linear(5, 2, generator));
        }

        public Linear Fc1 { get; }

        public Linear Fc2 { get; }

        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return scope.MoveToOuter(Fc2.Forward(F.Silu(Fc1.Forward(x))));
        }
    }

    private sealed class ConvNet : Module
    {
        public ConvNet(Generator generator)
        {
            Conv1 = RegisterModule("conv1", new Conv2d(2, 4, 3, generator));
            Norm = RegisterModule("norm", new GroupNorm(2, 4));
            Conv2 = RegisterModule("conv2", new Conv2d(4, 2, 3, generator, stride: 2, padding: 1));
        }

        public Conv2d Conv1 { get; }

        public GroupNorm Norm { get; }

        public Conv2d Conv2 { get; }

        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return scope.MoveToOuter(Conv2.Forward(F.Silu(Norm.Forward(Conv1.Forward(x)))));
        }
    }

    private sealed class AttentionBlock : Module
    {
        public AttentionBlock(Generator generator)
        {
            Norm1 = RegisterModule("norm1", new LayerNorm(4));
            SelfAttention = RegisterModule("self_attn", new MultiheadAttention(4, 2, generator));
            Norm2 = RegisterModule("norm2", new LayerNorm(4));
            CrossAttention = RegisterModule("cross_attn", new MultiheadAttention(4, 2, generator, kvDim: 3));
        }

        public LayerNorm Norm1 { get; }

        public MultiheadAttention SelfAttention { get; }

        public LayerNorm Norm2 { get; }

        public MultiheadAttention CrossAttention { get; }

        /// <summary>x [B, T, 4], context [B, S, 3], keyPadding bool [B, S].</summary>
        public Tensor Forward(Tensor x, Tensor context, Tensor keyPadding)
        {
            using var scope = TensorScope.Enter();
            var h = x + SelfAttention.Forward(Norm1.Forward(x));
            var y = h + CrossAttention.Forward(Norm2.Forward(h), context, context, keyPadding);
            return scope.MoveToOuter(y);
        }
    }
}
