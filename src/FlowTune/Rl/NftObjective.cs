using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl;

/// <summary>
/// Negative-aware fine-tuning (DiffusionNFT's idea; our implementation of the published formulas). Each rollout's
/// final image x0 is re-noised, x_t = (1 − t)·x0 + t·ε with t ~ U(0, 1), and the flow-matching target u = ε − x0 is
/// fitted by two implicit policies built from the trained velocity v_θ and the frozen sampling policy's v_old:
/// v⁺ = v_old + β(v_θ − v_old) on the "positive" side and v⁻ = v_old − β(v_θ − v_old) on the "negative" side, weighted
/// by an optimality probability r = ½ + ½·clip(A / s, −1, 1) from the group advantage A:
/// <c>loss = r·|v⁺ − u|² + (1 − r)·|v⁻ − u|²</c> (means over dimensions). Its gradient at θ = θ_old is
/// 2β(2r − 1)(v_old − u): toward the flow of the better images of a group and away from the worse ones; rewards
/// equal to the group mean only pull v_θ back to v_old. With <c>train.beta</c> &gt; 0 a KL-like anchor
/// β_kl·|v_θ − v_ref|² to the reference policy is added.
/// </summary>
public sealed class NftObjective(GrpoConfig config, GrpoPolicy policy) : IPolicyObjective
{
    private const long NoiseStream = 17;
    private Generator? _generator;

    /// <inheritdoc/>
    public void BeginEpoch(int epoch)
    {
        _generator?.Dispose();
        _generator = new Generator(Seeds.Derive(config.Seed, NoiseStream, epoch));
    }

    /// <inheritdoc/>
    public void Accumulate(RolloutBatch batch, double weight, UpdateStats stats)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stats);
        var generator = _generator ?? throw new InvalidOperationException("BeginEpoch must be called before Accumulate");
        var old = policy.SamplingPolicy ?? throw new InvalidOperationException("the NFT objective needs a separate sampling policy");
        var train = config.Train;
        var trajectory = batch.Trajectory;
        var n = trajectory.Count;
        using var scope = TensorScope.Enter();
        var x0 = trajectory.States.Select(1, trajectory.States.Size(1) - 1);                      // [B, C, H, W] final images
        var mask = batch.Mask();                                                                   // [B]
        var optimality = OptimalityProbability(batch.Advantages, train.NftAdvantageScale);
        var r = Tensor.FromArray(optimality, n);                                                    // [B]
        using var text = policy.Policy.EncodeText(batch.Prompts);
        for (var j = 0; j < train.NftTimesteps; j++)
        {
            using var stepScope = TensorScope.Enter();
            var t = Tensor.Rand([n], generator);                                                    // [B] ~ U(0, 1)
            var eps = Tensor.Randn(x0.Shape, generator);                                            // [B, C, H, W]
            var tb = t.View(-1, 1, 1, 1);
            var xt = x0 * (1.0 - tb) + eps * tb;
            var target = eps - x0;                                                                  // u
            var v = policy.Policy.Velocity(xt, t, text);
            Tensor vOld;
            using (Autograd.NoGrad())
            {
                vOld = old.Velocity(xt, t, text);
            }
            var delta = (v - vOld) * train.NftBeta;
            var positive = MeanDims((vOld + delta - target).Square());                             // [B]
            var negative = MeanDims((vOld - delta - target).Square());                             // [B]
            var terms = r * positive + (1.0 - r) * negative;                                        // [B]
            var policyLoss = mask.Mean(terms);
            var loss = policyLoss;
            double kl = 0;
            if (train.Beta > 0)
            {
                var vRef = policy.ReferenceVelocity(m => m.Velocity(xt, t, text));
                var klLoss = mask.Mean(MeanDims((v - vRef).Square()));
                kl = klLoss.Item();
                loss = loss + klLoss * train.Beta;
            }
            (loss * (weight / train.NftTimesteps)).Backward();
            stats.Add(policyLoss.Item(), kl, 0, 0, null);
        }
    }

    /// <summary>r = ½ + ½·clip(A / scale, −1, 1): 1 for clearly better than the group, 0 for clearly worse.</summary>
    public static float[] OptimalityProbability(IReadOnlyList<double> advantages, double scale)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return advantages.Select(a => (float)(0.5 + 0.5 * Math.Clamp(a / scale, -1.0, 1.0))).ToArray();
    }

    private static Tensor MeanDims(Tensor x) => x.Flatten(1).Mean(1);                             // [B]
}
