using FlowTune.Rl.Objectives;
using FlowTune.Rl.Prompts;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.Update;
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
        var live = Finalizers.LiveTensors();

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
        using (var grad = policy.C.Grad)
        {
            Assert.NotNull(grad);                          // c has a gradient (held natively, not as a managed tensor)
        }
        Assert.Equal(live, Finalizers.LiveTensors());      // nothing the objective made is left alive
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
    public void Should_GiveTheHandComputedNftLossAndGradient_When_AdvantagesHaveBothSignsAndOneIsClipped()
    {
        // Given: 2 rollouts of 2 dims, x0 = 0, t = 0.5, x_t = 1, v_old = 1, β = 1, A_max = 5;
        // A = [7, −2.5]: 7 is clipped to 5, so r = [1, 0.25]
        using var scope = TensorScope.Enter();
        var v = Tensor.FromArray([2f, 0f, 1f, 3f], 2, 1, 1, 2).WithRequiresGrad();
        var vOld = Tensor.Full([2, 1, 1, 2], 1.0);
        var xt = Tensor.Full([2, 1, 1, 2], 1.0);
        var x0 = Tensor.Zeros([2, 1, 1, 2]);
        var t = Tensor.Full([2, 1, 1, 1], 0.5);
        var r = Tensor.FromArray(NftObjective.OptimalityProbability([7.0, -2.5], 5.0), 2);

        // When
        var terms = NftObjective.Terms(v, vOld, xt, x0, t, r, beta: 1.0, advClipMax: 5.0);
        terms.Sum().Backward();

        // Then: v⁺ = v, x0⁺ = x_t − t·v = [0, 1 | 0.5, −0.5]; v⁻ = 2·v_old − v, x0⁻ = [1, 0 | 0.5, 1.5].
        // Rollout 0: mean e² / mean |e| = 0.5 / 0.5 = 1 on the positive side; r = 1, so 5 · 1 = 5.
        // Rollout 1: positive 0.25 / 0.5 = 0.5, negative 1.25 / 1 = 1.25; 5 · (0.25 · 0.5 + 0.75 · 1.25) = 5.3125.
        // Gradient (weights held fixed): positive side −2t·e⁺/(D·w⁺) = −e⁺/(2w⁺) per unit of r·A_max/β, negative side
        // +2t·e⁻/(D·w⁻) per unit of (1 − r)·A_max/β: rollout 0 → 5·[0, −1]; rollout 1 → 1.25·[−0.5, 0.5] + 3.75·[0.25, 0.75]
        Assert.Equal([5f, 5.3125f], terms.ToArray<float>());
        var grad = v.Grad!.ToArray<float>();
        float[] expected = [0f, -5f, 0.3125f, 3.4375f];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], grad[i], 5);
        }
    }

    [Fact]
    public void Should_FloorTheAdaptiveWeightAndHoldItFixed_When_ThePredictionIsExact()
    {
        // Given: one rollout predicted exactly, one off by [0.2, −0.6] (w = mean |e| = 0.4)
        using var scope = TensorScope.Enter();
        var predicted = Tensor.FromArray([0f, 0f, 0.2f, -0.6f], 2, 2).WithRequiresGrad();
        var x0 = Tensor.Zeros([2, 2]);

        // When
        var loss = NftObjective.WeightedError(predicted, x0);
        loss.Sum().Backward();

        // Then: 0 / 1e-5 = 0 (no division by zero); (0.04 + 0.36) / 2 / 0.4 = 0.5; the gradient is 2e / (D·w) = e / 0.4,
        // as for a constant w (the weight is not differentiated)
        Assert.Equal(0f, loss.ToArray<float>()[0]);
        Assert.Equal(0.5f, loss.ToArray<float>()[1], 6);
        var grad = predicted.Grad!.ToArray<float>();
        Assert.Equal([0f, 0f], grad[..2]);
        Assert.Equal(0.5f, grad[2], 5);
        Assert.Equal(-1.5f, grad[3], 5);
    }

    [Fact]
    public void Should_PushByAMaxTimesTwoRMinusOne_When_NftStartsAtTheSamplingPolicy()
    {
        // Given: final images x0 = 0, a one-step grid (so every rollout trains at t = 1: x_t = ε); v_θ = v_old = 0.3;
        // A = [1, −1, 2, 0.5], A_max 5 → r = ½ + A/10 = [0.6, 0.4, 0.7, 0.55]; no anchor
        var options = new RolloutOptions();
        var nft = new NftOptions { KlWeight = 0 };
        using var policy = new ConstantVelocity(0.3, trainable: true);
        using var old = new ConstantVelocity(0.3, trainable: false);
        using var reference = new ConstantVelocity(0.3, trainable: false);
        var prompts = Enumerable.Range(0, 4).Select(i => new PromptItem($"p{i}")).ToList();
        using var batch = new RolloutBatch(0, [0, 0, 1, 1], prompts, Tensor.Zeros([4, 1, 2, 2]).DetachFromScope(), [1, 0], null,
            new GuidedVelocity(old, [.. prompts.Select(p => p.Text)], 1.0));
        var objective = nft.Create(new ObjectiveContext(Seed, new StubNetworks(policy, reference, old), options));
        var stats = new UpdateStats();
        var live = Finalizers.LiveTensors();

        // When
        objective.BeginEpoch(7);
        objective.Accumulate(new TrainingBatch(batch, Advantages, Trained, null), 1.0, stats);
        var m = stats.ToMetrics(1, 1, 0);
        var liveAfter = Finalizers.LiveTensors();

        // Then: with e = ε − 0.3 both sides are mean e² / mean |e|, so each rollout's loss is A_max · that; in c the
        // positive side's gradient is −2t·β·mean e / w and the negative side's the opposite, so the rollout contributes
        // A_max · (2r − 1) · (−2 mean e / mean |e|) / B. Every rollout counts (the reference's mean over the batch).
        using var generator = new Generator(Seeds.Derive(Seed, RandomStreams.RlNftRenoising, 7));
        using (Tensor.Rand([4, 1], generator))
        {
        }
        using var eps = Tensor.Randn([4, 1, 2, 2], generator);
        var all = eps.ToArray<float>();
        double[] r = [0.6, 0.4, 0.7, 0.55];
        double loss = 0, grad = 0;
        for (var i = 0; i < 4; i++)
        {
            var e = all.Skip(4 * i).Take(4).Select(x => x - 0.3).ToArray();
            var w = e.Average(Math.Abs);
            loss += 5 * e.Average(x => x * x) / w / 4;
            grad += 5 * (2 * r[i] - 1) * (-2 * e.Average() / w) / 4;
        }
        Assert.Equal(loss, m.PolicyLoss, 4);
        Assert.Equal(grad, policy.C.Grad!.ToArray<float>()[0], 4);
        Assert.Equal(0.0, m.KlLoss);
        Assert.Equal(live, liveAfter); // every tensor of the loss is freed (c's gradient lives in libtorch until read)
    }

    [Fact]
    public void Should_FollowTheReferenceSchedules_When_TheSamplingPolicyDecays()
    {
        // Given: the reference's two schedules (decay_type 1 and 2)
        var slow = new NftOptions().Schedule;
        var late = new SamplingPolicySchedule(Flat: 75, Rate: 0.0075, Max: 0.999);

        // Then: d = min(rate · (step − flat), max), 0 before flat
        Assert.Equal(0.0, slow.Decay(0));
        Assert.Equal(0.001, slow.Decay(1), 12);
        Assert.Equal(0.25, slow.Decay(250), 12);
        Assert.Equal(0.5, slow.Decay(501));
        Assert.Equal(0.0, late.Decay(74));
        Assert.Equal(0.0, late.Decay(75));
        Assert.Equal(0.0075, late.Decay(76), 12);
        Assert.Equal(0.999, late.Decay(300));
        Assert.False(slow.AlwaysOnPolicy);
        Assert.True(new SamplingPolicySchedule(0, 0, 0).AlwaysOnPolicy);
    }

    [Fact]
    public void Should_TrainNineOfTenGridTimes_When_TheFractionIsTheReferences()
    {
        Assert.Equal(9, new NftOptions().TimesPerRollout(10));
        Assert.Equal(1, new NftOptions { TimestepFraction = 0.1 }.TimesPerRollout(4));
        Assert.Equal(4, new NftOptions { TimestepFraction = 1.0 }.TimesPerRollout(4));
    }

    [Fact]
    public void Should_WeightTheFlowMatchingErrorAsTheReference_When_TheAwmSurrogateIsComputed()
    {
        // Given: v − target = [1, −1] (mse 1) at t = 0.5
        using var scope = TensorScope.Enter();
        var v = Tensor.FromArray([1f, -1f], 1, 2);
        var target = Tensor.Zeros([1, 2]);
        var t = Tensor.Full([1], 0.5);
        double Of(AwmWeighting w) => AwmObjective.Surrogate(v, target, t, new AwmOptions { Weighting = w }).Item();

        // Then: −mse, −t·mse, −t²·mse, −t·(sqrt(mse + 1e-10) − 1e-5), −t·((mse + 1e-10)^¼ − 1e-10^¼) / ¼
        Assert.Equal(-1.0, Of(AwmWeighting.Uniform), 6);
        Assert.Equal(-0.5, Of(AwmWeighting.T), 6);
        Assert.Equal(-0.25, Of(AwmWeighting.T2), 6);
        Assert.Equal(-0.5 * (1 - 1e-5), Of(AwmWeighting.Huber), 6);
        Assert.Equal(-0.5 * (1 - 0.0031622777) / 0.25, Of(AwmWeighting.Ghuber), 5);
    }

    [Fact]
    public void Should_DrawOneGridIndexPerStratum_When_AwmPicksItsTimes()
    {
        // Given: the reference's GenEval setting (14 steps, fraction 0.9 → [1, 12), 6 rounds), and every index of 10
        using var generator = new Generator(11);
        var wo = new AwmOptions();
        var all = new AwmOptions { Times = AwmTimes.Discrete, TimestepFraction = 1.0, TrainTimesteps = 10 };
        int[][] strata = [[1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]];

        for (var draw = 0; draw < 20; draw++)
        {
            // When
            var indices = AwmObjective.TimeIndices(wo, 14, generator);

            // Then: strata of linspace(1, 12, 7) truncated, as the reference's discrete_wo_init
            Assert.Equal(6, indices.Length);
            for (var j = 0; j < 6; j++)
            {
                Assert.Contains(indices[j], strata[j]);
            }
            Assert.Equal(Enumerable.Range(0, 10), AwmObjective.TimeIndices(all, 10, generator));
        }
    }

    [Theory]
    [InlineData(0.3, 1.0, true)]
    [InlineData(0.1, 1e-6, true)]
    [InlineData(0.1, 1e-6, false)]
    public void Should_GiveThePpoClipOfTheSurrogateRatio_When_AwmTrains(double oldC, double clipRange, bool perTimestep)
    {
        // Given: policy c = 0.3, epoch-start policy c = oldC, x0 = 0 on a 2-step grid [1, 0.5, 0], both indices trained
        // (discrete, fraction 1, 2 rounds), uniform weighting, no anchor; A = [1, −1, 2, 0.5] → Ã = A / 5
        var options = new RolloutOptions();
        var awm = new AwmOptions { Times = AwmTimes.Discrete, TimestepFraction = 1.0, TrainTimesteps = 2, Weighting = AwmWeighting.Uniform, KlWeight = 0, ClipRange = clipRange, RatioPerTimestep = perTimestep };
        using var policy = new ConstantVelocity(0.3, trainable: true);
        using var old = new ConstantVelocity(oldC, trainable: false);
        using var reference = new ConstantVelocity(0.3, trainable: false);
        var prompts = Enumerable.Range(0, 4).Select(i => new PromptItem($"p{i}")).ToList();
        using var batch = new RolloutBatch(0, [0, 0, 1, 1], prompts, Tensor.Zeros([4, 1, 2, 2]).DetachFromScope(), [1, 0.5, 0], null,
            new GuidedVelocity(old, [.. prompts.Select(p => p.Text)], 1.0));
        var objective = awm.Create(new ObjectiveContext(Seed, new StubNetworks(policy, reference, old), options));
        var stats = new UpdateStats();

        // When
        objective.BeginEpoch(3);
        objective.Accumulate(new TrainingBatch(batch, Advantages, Trained, null), 1.0, stats);
        var m = stats.ToMetrics(1, 1, 0);

        // Then: ℓ = −mean (c − ε)² per rollout and round (t drops out of the uniform weighting), ratio = exp(ℓ_θ − ℓ_old),
        // terms max(−Ã·ratio, −Ã·clamp(ratio, 1 ± ε)) averaged over rounds and rollouts (or ratio of the round means)
        using var generator = new Generator(Seeds.Derive(Seed, RandomStreams.RlAwmNoising, 3));
        using (Tensor.Rand([2], generator))
        {
        }
        double[] a = [0.2, -0.2, 0.4, 0.1];
        var logp = new double[2, 4];
        var logpOld = new double[2, 4];
        for (var j = 0; j < 2; j++)
        {
            using var eps = Tensor.Randn([4, 1, 2, 2], generator);
            var e = eps.ToArray<float>();
            for (var i = 0; i < 4; i++)
            {
                var dims = e.Skip(4 * i).Take(4).ToArray();
                logp[j, i] = -dims.Average(x => (0.3 - x) * (0.3 - x));
                logpOld[j, i] = -dims.Average(x => (oldC - x) * (oldC - x));
            }
        }
        double Term(double adv, double ratio) => Math.Max(-adv * ratio, -adv * Math.Clamp(ratio, 1 - clipRange, 1 + clipRange));
        double loss = 0, clipped = 0;
        var count = perTimestep ? 8 : 4;
        for (var i = 0; i < 4; i++)
        {
            var ratios = perTimestep
                ? new[] { Math.Exp(logp[0, i] - logpOld[0, i]), Math.Exp(logp[1, i] - logpOld[1, i]) }
                : new[] { Math.Exp((logp[0, i] + logp[1, i]) / 2 - (logpOld[0, i] + logpOld[1, i]) / 2) };
            foreach (var ratio in ratios)
            {
                loss += Term(a[i], ratio) / count;
                clipped += Math.Abs(ratio - 1) > clipRange ? 1.0 / count : 0;
            }
        }
        Assert.Equal(loss, m.PolicyLoss, 5);
        Assert.Equal(clipped, m.ClipFrac, 6);
        if (oldC == 0.3)
        {
            Assert.Equal(-0.125, m.PolicyLoss, 6);   // on-policy: ratio 1, so −mean Ã, with both signs of advantage
            Assert.Equal(1.0, m.RatioMin, 6);
        }
        else
        {
            Assert.True(clipped > 0, "the tiny clip range must bind off-policy");
        }
    }

    [Fact]
    public void Should_StateWhatTheyNeed_When_Asked()
    {
        // Flow-GRPO trains transitions (trajectories, SDE rollouts) and keeps a reference only with an anchor;
        // NFT needs final images and a sampling policy, and a reference only with kl_weight > 0
        Assert.Equal(new ObjectiveNeeds(true, true, true, null, true), new FlowGrpoOptions().Needs);
        Assert.False(new FlowGrpoOptions { Beta = 0 }.Needs.Reference);
        Assert.Equal(new ObjectiveNeeds(false, false, false, new SamplingPolicySchedule(0, 0.001, 0.5), false), new NftOptions { KlWeight = 0 }.Needs);
        Assert.True(new NftOptions().Needs.Reference);
    }
}
