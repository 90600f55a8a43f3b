using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Tests.Nn;

public sealed class ModuleTests
{
    [Fact]
    public void Should_NameParametersByDottedPath_When_ModulesAreNested()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(1);

        // When
        using var attention = new MultiheadAttention(4, 2, generator);
        using var outer = new Outer(generator);

        // Then
        Assert.Equal(
            ["q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias"],
            attention.NamedParameters().Select(p => p.Key));
        Assert.Equal(
            ["scale", "block.norm.weight", "block.norm.bias", "block.attn.q_proj.weight", "block.attn.q_proj.bias",
             "block.attn.k_proj.weight", "block.attn.k_proj.bias", "block.attn.v_proj.weight", "block.attn.v_proj.bias",
             "block.attn.out_proj.weight", "block.attn.out_proj.bias", "head.weight"],
            outer.NamedParameters().Select(p => p.Key));
        Assert.Equal(["block.step"], outer.NamedBuffers().Select(p => p.Key));
        Assert.Equal(outer.NamedParameters().Select(p => p.Key).Append("block.step"), outer.StateDict().Select(p => p.Key));
        Assert.Equal(
            ["block", "block.norm", "block.attn", "block.attn.q_proj", "block.attn.k_proj", "block.attn.v_proj", "block.attn.out_proj", "head"],
            outer.NamedModules().Select(m => m.Key));
        Assert.Same(outer.Block.Attention.QProj.Weight, outer.NamedParameters().Single(p => p.Key == "block.attn.q_proj.weight").Value);
        Assert.Equal(1 + 2 * 4 + 4 * (16 + 4) + 4 * 2, outer.ParameterCount());
    }

    [Fact]
    public void Should_Throw_When_NameIsDuplicatedOrDotted()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var probe = new Probe();
        probe.Parameter("w");
        probe.Child("child");

        // When
        var duplicateParameter = Assert.Throws<ArgumentException>(() => probe.Parameter("w"));
        var duplicateAcrossKinds = Assert.Throws<ArgumentException>(() => probe.Buffer("child"));
        var dotted = Assert.Throws<ArgumentException>(() => probe.Parameter("a.b"));
        var dottedChild = Assert.Throws<ArgumentException>(() => probe.Child("x.y"));
        var empty = Assert.ThrowsAny<ArgumentException>(() => probe.Parameter(""));

        // Then
        Assert.Contains("'w' is already registered", duplicateParameter.Message, StringComparison.Ordinal);
        Assert.Contains("'child' is already registered", duplicateAcrossKinds.Message, StringComparison.Ordinal);
        Assert.Contains("must not contain '.'", dotted.Message, StringComparison.Ordinal);
        Assert.Contains("must not contain '.'", dottedChild.Message, StringComparison.Ordinal);
        Assert.NotNull(empty);
        Assert.Equal(["w"], probe.NamedParameters().Select(p => p.Key));
        Assert.Empty(probe.NamedBuffers());
    }

    [Fact]
    public void Should_ListEveryProblemAndCopyNothing_When_StrictLoadFails()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(2);
        using var linear = new Linear(3, 2, generator);
        var before = linear.Weight.ToArray<float>();
        var state = new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.Ones([3, 2]),   // wrong shape
            ["extra.weight"] = Tensor.Ones([1]), // unexpected
            // "bias" missing
        };

        // When
        var error = Assert.Throws<InvalidDataException>(() => linear.LoadStateDict(state));

        // Then
        Assert.Contains("missing key 'bias'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected key 'extra.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'weight': checkpoint shape [3, 2] vs model [2, 3]", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, linear.Weight.ToArray<float>());
    }

    [Fact]
    public void Should_IgnoreMissingAndUnexpectedButNotShapes_When_LoadIsNotStrict()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(3);
        using var linear = new Linear(3, 2, generator);
        var bias = linear.Bias!.ToArray<float>();
        var partial = new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.Full([2, 3], 0.5),
            ["unknown"] = Tensor.Ones([7]),
        };
        var badShape = new Dictionary<string, Tensor> { ["bias"] = Tensor.Ones([3]) };

        // When
        linear.LoadStateDict(partial, strict: false);
        var error = Assert.Throws<InvalidDataException>(() => linear.LoadStateDict(badShape, strict: false));

        // Then
        Assert.All(linear.Weight.ToArray<float>(), v => Assert.Equal(0.5f, v));
        Assert.Equal(bias, linear.Bias.ToArray<float>());
        Assert.Contains("'bias': checkpoint shape [3] vs model [2]", error.Message, StringComparison.Ordinal);
        Assert.True(linear.Weight.RequiresGrad);
        Assert.True(linear.Weight.IsLeaf);
    }

    [Fact]
    public void Should_CopyValuesAndBuffers_When_StrictLoadSucceeds()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var g1 = new Generator(4);
        using var g2 = new Generator(5);
        using var source = new Outer(g1);
        using var target = new Outer(g2);
        source.Block.Step.Fill_(42);
        var state = source.StateDict().ToDictionary(p => p.Key, p => p.Value);

        // When
        target.LoadStateDict(state);

        // Then
        foreach (var (name, t) in target.StateDict())
        {
            Assert.Equal(state[name].ToArray<float>(), t.ToArray<float>());
            Assert.NotSame(state[name], t);
        }
        Assert.Equal(42f, target.Block.Step.Item());
    }

    [Fact]
    public void Should_PropagateMode_When_TrainOrEvalIsCalled()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(6);
        using var outer = new Outer(generator);
        Assert.True(outer.Training);

        // When
        var returned = outer.Eval();
        var allEval = outer.NamedModules().Select(m => m.Value).Append(outer).All(m => !m.Training);
        outer.Block.Train();
        var mixed = (outer.Training, outer.Block.Training, outer.Block.Attention.QProj.Training, outer.Head.Training);
        outer.Train();
        var allTrain = outer.NamedModules().Select(m => m.Value).Append(outer).All(m => m.Training);

        // Then
        Assert.Same(outer, returned);
        Assert.True(allEval);
        Assert.Equal((false, true, true, false), mixed);
        Assert.True(allTrain);
    }

    [Fact]
    public void Should_ComputeNoParameterGrad_When_RequiresGradIsDisabled()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(7);
        using var mlp = new Outer(generator);
        var x = Tensor.Randn([2, 3, 4], generator).WithRequiresGrad();

        // When
        mlp.SetRequiresGrad(false);
        mlp.Forward(x).Sum().Backward();

        // Then
        Assert.All(mlp.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.All(mlp.Parameters(), p => Assert.Null(p.Grad));
        Assert.Empty(mlp.TrainableParameters());
        Assert.NotNull(x.Grad);

        // When re-enabled, gradients flow again
        mlp.SetRequiresGrad(true);
        mlp.Forward(x).Sum().Backward();
        Assert.All(mlp.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Equal(mlp.NamedParameters().Count(), mlp.TrainableParameters().Count());

        // ZeroGrad drops them
        mlp.ZeroGrad();
        Assert.All(mlp.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Should_StartAtExactZero_When_ZeroInitIsRequested()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(8);

        // When
        using var zero = new Linear(5, 3, generator, zeroInit: true);
        using var normal = new Linear(5, 3, generator);
        using var conv = new Conv2d(2, 3, 3, generator, zeroInit: true);
        using var attention = new MultiheadAttention(4, 2, generator, zeroInitOutput: true);
        var y = attention.Forward(Tensor.Randn([1, 3, 4], generator));

        // Then
        Assert.All(zero.Weight.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(zero.Bias!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(conv.Weight.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(conv.Bias!.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(attention.OutProj.Weight.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.Contains(attention.QProj.Weight.ToArray<float>(), v => v != 0);
        Assert.All(y.ToArray<float>(), v => Assert.Equal(0f, v));
        var bound = 1 / Math.Sqrt(5);
        Assert.All(normal.Weight.ToArray<float>(), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.Equal(15, normal.Weight.ToArray<float>().Distinct().Count());
        Assert.True(zero.Weight.RequiresGrad);
    }

    [Fact]
    public void Should_BuildIdenticalParameters_When_GeneratorSeedIsEqual()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var g1 = new Generator(77);
        using var g2 = new Generator(77);
        using var g3 = new Generator(78);

        // When
        using var a = new Outer(g1);
        using var b = new Outer(g2);
        using var c = new Outer(g3);

        // Then
        var pa = a.StateDict().ToList();
        var pb = b.StateDict().ToList();
        var pc = c.StateDict().ToList();
        for (var k = 0; k < pa.Count; k++)
        {
            Assert.Equal(pa[k].Key, pb[k].Key);
            Assert.Equal(pa[k].Value.ToArray<float>(), pb[k].Value.ToArray<float>());
        }
        Assert.NotEqual(
            pa.Single(p => p.Key == "block.attn.q_proj.weight").Value.ToArray<float>(),
            pc.Single(p => p.Key == "block.attn.q_proj.weight").Value.ToArray<float>());
    }

    [Fact]
    public void Should_FreeParameters_When_ModuleIsDisposed()
    {
        // Given
        using var scope = TensorScope.Enter();
        using var generator = new Generator(9);
        var outer = new Outer(generator);
        var parameters = outer.StateDict().Select(p => p.Value).ToList();
        var owned = scope.Count;

        // When
        outer.Dispose();

        // Then: registered tensors belong to the module, not to the scope
        Assert.Equal(0, owned);
        Assert.All(parameters, p => Assert.True(p.IsDisposed));
    }

    private sealed class Probe : Module
    {
        public void Parameter(string name) => RegisterParameter(name, Tensor.Zeros([1]));

        public void Buffer(string name) => RegisterBuffer(name, Tensor.Zeros([1]));

        public void Child(string name) => RegisterModule(name, new LayerNorm(2, elementwiseAffine: false));
    }

    private sealed class Inner : Module
    {
        public Inner(Generator generator)
        {
            Norm = RegisterModule("norm", new LayerNorm(4));
            Attention = RegisterModule("attn", new MultiheadAttention(4, 2, generator));
            Step = RegisterBuffer("step", Tensor.Zeros([]));
        }

        public LayerNorm Norm { get; }

        public MultiheadAttention Attention { get; }

        public Tensor Step { get; }

        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return scope.MoveToOuter(Attention.Forward(Norm.Forward(x)));
        }
    }

    private sealed class Outer : Module
    {
        public Outer(Generator generator)
        {
            Scale = RegisterParameter("scale", Tensor.Ones([1]));
            Block = RegisterModule("block", new Inner(generator));
            Head = RegisterModule("head", new Linear(4, 2, generator, bias: false));
        }

        public Tensor Scale { get; }

        public Inner Block { get; }

        public Linear Head { get; }

        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return scope.MoveToOuter(Head.Forward(Block.Forward(x) * Scale));
        }
    }
}
