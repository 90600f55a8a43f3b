using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Sampling;
using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Tests.Rl.Objectives;

/// <summary>
/// Each objective on a stub batch of 4 rollouts of a constant-velocity network (v = c), where the loss terms can
/// be worked out by hand: the comments show the arithmetic.
/// </summary>
[Collection("Serial")]
public sealed class ObjectiveTests
{
    private const int Seed = 5;
    private static readonly double[] Advantages = [1, -1, 2, 0.5];
    private static readonly bool[] Trained = [true, true, true, false];

    /// <summary>2 SDE steps (grid 1 → 0.5 → 0, noise 0.7) of the stub, as the rollout stage would keep them.</summary>
    private static RolloutBatch Rollouts(ConstantVelocity model, RolloutOptions options)
    {
        var prompts = Enumerable.Range(0, 4).Select(i => new PromptItem($"p{i}")).ToList();
        var velocity = new GuidedVelocity(model, [.. prompts.Select(p => p.Text)], 1.0);
        using var scope = TensorScope.Enter();
        using var generator = new Generator(3);
        var trajectory = SdeSampler.Rollout(model, velocity, 4, options.ToSamplerOptions(), generator);
        var final = trajectory.Final();
        scope.MoveToOuter([trajectory.States, trajectory.LogProbs, final]);
        return new RolloutBatch(0, [0, 0, 1, 1], prompts, final, trajectory.Times, trajectory, velocity);
    }

    [Fact]
    public void Should_GiveMinusTheMeanTrainedAdvantageAndTheHandKl_When_FlowGrpoIsOnPolicy()
    {
        // Given: policy c = 0.3, reference c = 0.1 (δ = 0.2), 2 steps of which ⌊2 · 0.99⌋ = 1 is trained
        var options = new RolloutOptions { NumSteps = 2, NoiseLevel = 0.7 };
        using var policy = new ConstantVelocity(0.3, trainable: true);
        using var reference = new ConstantVelocity(0.1, trainable: false);
        using var batch = Rollouts(policy, options);
        var objective = new FlowGrpoOptions { Beta = 0.04 }.Create(new ObjectiveContext(Seed, new StubNetworks(policy, reference), options));
        var stats = new UpdateStats();
        Finalizers.Settle();
        var live = Tensor.LiveCount;

        // When
        objective.BeginEpoch(0);
        objective.Accumulate(new TrainingBatch(batch, Advantages, Trained, null), 1.0, stats);
        var m = stats.ToMetrics(1, 1, 0);

        // Then: on-policy the ratio is exactly 1, so the PPO term is −A: −(1 − 1 + 2) / 3 trained = −2/3.
        // KL at t = 1 → 0.5: μ_θ − μ_ref = dt·δ = −0.5 · 0.2 (the σ²(1 − t)/2t term vanishes at t = 1),
        // σ_t² = 0.7² · 1 / (1 − 0.5) = 0.98, so KL = 0.01 / (2 · 0.98) = 0.0051020
        Assert.Equal(-2.0 / 3.0, m.PolicyLoss, 6);
        Assert.Equal(0.0051020, m.KlLoss, 6);
        Assert.Equal(1.0, m.RatioMin);
        Assert.Equal(1.0, m.RatioMax);
        Assert.Equal(0.0, m.ClipFrac);
        Assert.Equal(0.0, m.ApproxKl);
        Assert.NotNull(policy.C.Grad);
        Assert.Equal(live + 1, Tensor.LiveCount); // only the gradient of c remains
    }

    [Fact]
    public void Should_UseEachStepsOwnAdvantage_When_StepAdvantagesAreGiven()
    {
        // Given: the same batch with per-step advantages; both steps trained (fraction 1)
        var options = new RolloutOptions { NumSteps = 2, NoiseLevel = 0.7 };
        using var policy = new ConstantVelocity(0.3, trainable: true);
        using var reference = new ConstantVelocity(0.3, trainable: false);
        using var batch = Rollouts(policy, options);
        var objective = new FlowGrpoOptions { TimestepFraction = 1.0 }.Create(new ObjectiveContext(Seed, new StubNetworks(policy, reference), options));
        double[][] steps = [[1, 3], [-1, 0], [2, 0], [9, 9]];
        var stats = new UpdateStats();

        // When
        objective.Accumulate(new TrainingBatch(batch, Advantages, Trained, steps), 1.0, stats);
        var m = stats.ToMetrics(1, 1, 0);

        // Then: loss weights T·w_k = 2 · 0.5 = 1; step 0: −(1 − 1 + 2) / 3 = −2/3, step 1: −(3 + 0 + 0) / 3 = −1;
        // the update's policy loss is their mean −5/6; the reference equals the policy, so the KL is 0
        Assert.Equal(-5.0 / 6.0, m.PolicyLoss, 6);
        Assert.Equal(0.0, m.KlLoss);
    }

    [Fact]
    public void Should_FitTheFlowTargetAndPushByTwoBetaTwoRMinusOne_When_NftStartsAtTheSamplingPolicy()
    {
        // Given: final images x0 = 0; v_θ = v_old = 0.3; A = [1, −1, 2, 0.5] → r = ½ + ½·clip(A) = [1, 0, 1, 0.75]
        var options = new RolloutOptions();
        var nft = new NftOptions { Beta = 1.0, Timesteps = 2 };
        using var policy = new ConstantVelocity(0.3, trainable: true);
        using var old = new ConstantVelocity(0.3, trainable: false);
        using var reference = new ConstantVelocity(0.3, trainable: false);
        var prompts = Enumerable.Range(0, 4).Select(i => new PromptItem($"p{i}")).ToList();
        using var batch = new RolloutBatch(0, [0, 0, 1, 1], prompts, Tensor.Zeros([4, 1, 2, 2]).DetachFromScope(), [1, 0], null,
            new GuidedVelocity(old, [.. prompts.Select(p => p.Text)], 1.0));
        var objective = nft.Create(new ObjectiveContext(Seed, new StubNetworks(policy, reference, old), options));
        var stats = new UpdateStats();

        // When
        objective.BeginEpoch(7);
        objective.Accumulate(new TrainingBatch(batch, Advantages, Trained, null), 1.0, stats);
        var m = stats.ToMetrics(1, 1, 0);

        // Then: the target is u = ε − x0 = ε, drawn (after t) from the epoch's re-noising stream. At v_θ = v_old both
        // sides equal (0.3 − ε)², so the loss is mean_trained mean_dims((0.3 − ε)²); its gradient in c is
        // Σ_trained 2β(2r − 1)·mean_dims(0.3 − ε) / 3, averaged over the 2 draws
        using var generator = new Generator(Seeds.Derive(Seed, RandomStreams.RlNftRenoising, 7));
        double[] r = [1, 0, 1, 0.75];
        double loss = 0, grad = 0;
        for (var j = 0; j < 2; j++)
        {
            using var t = Tensor.Rand([4], generator);
            using var eps = Tensor.Randn([4, 1, 2, 2], generator);
            var e = eps.ToArray<float>();
            for (var i = 0; i < 3; i++)
            {
                var dims = e.Skip(4 * i).Take(4).ToArray();
                loss += dims.Average(x => (0.3 - x) * (0.3 - x)) / 3 / 2;
                grad += 2 * nft.Beta * (2 * r[i] - 1) * dims.Average(x => 0.3 - x) / 3 / 2;
            }
        }
        Assert.Equal(loss, m.PolicyLoss, 5);
        Assert.Equal(grad, policy.C.Grad!.ToArray<float>()[0], 5);
        Assert.Equal(0.0, m.KlLoss);
    }

    [Fact]
    public void Should_StateWhatTheyNeed_When_Asked()
    {
        // Flow-GRPO trains transitions (trajectories, SDE rollouts) and keeps a reference only with an anchor;
        // NFT needs final images and a sampling policy, and a reference only with kl_weight > 0
        Assert.Equal(new ObjectiveNeeds(true, true, true, null, true), new FlowGrpoOptions().Needs);
        Assert.False(new FlowGrpoOptions { Beta = 0 }.Needs.Reference);
        Assert.Equal(new ObjectiveNeeds(false, false, false, 0.5, false), new NftOptions { SamplingDecay = 0.5 }.Needs);
        Assert.True(new NftOptions { KlWeight = 0.1 }.Needs.Reference);
    }
}
