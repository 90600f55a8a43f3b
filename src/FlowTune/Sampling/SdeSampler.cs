using FlowTune.Common;
using FlowTune.Models;
using FlowTune.Torch;

namespace FlowTune.Sampling;

/// <summary>
/// Stochastic rollouts for online RL: from x_0 ~ N(0, I) at t = 1, SDE (or CPS) steps with recorded
/// log-likelihoods; ODE steps outside the SDE window. No gradients are recorded.
/// </summary>
public static class SdeSampler
{
    /// <summary>
    /// Samples <paramref name="batch"/> trajectories for the prompts encoded in <paramref name="velocity"/>. With
    /// <paramref name="recordPredictions"/>, also keeps the one-step prediction x0̂ = x_k − t_k·v_k of every step
    /// (the value estimates of step-level advantages). <paramref name="initial"/> is x_1 [B, ...sample shape] when the
    /// caller chooses it (e.g. one noise per group); otherwise it is drawn from <paramref name="generator"/>.
    /// </summary>
    public static Trajectory Rollout(IVelocityModel model, GuidedVelocity velocity, long batch, SdeSamplerOptions options, Generator generator,
        bool recordPredictions = false, Tensor? initial = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(options);
        Validation.ThrowIfAny(options.Validate(), "sampler options");
        using var scope = TensorScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grid = model.TimeGrid(options.Steps, options.Shift);
        var stochastic = Window(options, generator);
        long[] shape = [batch, .. model.SampleShape];
        if (initial is not null && !initial.Shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"initial noise has shape [{string.Join(", ", initial.Shape)}], the rollout needs [{string.Join(", ", shape)}]", nameof(initial));
        }
        var x = initial ?? Tensor.Randn(shape, generator);                     // [B, C, H, W]
        var states = new List<Tensor> { x };
        var logProbs = new List<Tensor>();
        var predictions = new List<Tensor>();
        for (var k = 0; k < options.Steps; k++)
        {
            using var step = TensorScope.Enter();
            var forward = StageTimes.Measure(StageTimes.SampleForward);
            var v = velocity.At(x, grid[k]);                                   // [B, C, H, W]
            forward.Dispose();
            var stepTime = StageTimes.Measure(StageTimes.SampleStep);
            if (recordPredictions)
            {
                predictions.Add(step.MoveToOuter(x - v * grid[k]));           // x0̂ [B, C, H, W]
            }
            if (!stochastic[k] && options.Solver == OdeSolver.Heun && grid[k + 1] > 0)
            {
                var dt = grid[k + 1] - grid[k];
                var predictor = x + v * dt;
                var corrected = x + (v + velocity.At(predictor, grid[k + 1])) * (0.5 * dt); // Heun (docs/ALGORITHMS.md §2)
                x = step.MoveToOuter(corrected);
                logProbs.Add(step.MoveToOuter(Tensor.Zeros([batch])));
                states.Add(x);
                stepTime.Dispose();
                continue;
            }
            var a = stochastic[k] ? options.NoiseLevel : 0.0;
            using var transition = SdeStep.Transition(options.Kind, x, v, Tensor.Full([batch], grid[k]), Tensor.Full([batch], grid[k + 1]), a, grid[1]);
            var noise = Tensor.Randn(x.Shape, generator);
            var next = transition.Mean + noise * transition.Std.View(SdeStep.Broadcast(x.Dim));
            var logp = stochastic[k] ? SdeStep.LogProb(options.Kind, transition, next) : Tensor.Zeros([batch]);
            x = step.MoveToOuter(next);
            logProbs.Add(step.MoveToOuter(logp));
            states.Add(x);
            stepTime.Dispose();
        }
        var result = new Trajectory(Tensor.Stack(states, 1), Tensor.Stack(logProbs, 1), grid, stochastic)
        {
            Predictions = recordPredictions ? Tensor.Stack(predictions, 1) : null,
        };
        scope.MoveToOuter([result.States, result.LogProbs]);
        if (result.Predictions is not null)
        {
            scope.MoveToOuter(result.Predictions);
        }
        return result;
    }

    /// <summary>
    /// Which steps are stochastic: all, or a random window of <see cref="SdeSamplerOptions.WindowSize"/> steps; none at
    /// noise level 0 (the ODE: rollouts for likelihood-free objectives).
    /// </summary>
    public static bool[] Window(SdeSamplerOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        var flags = new bool[options.Steps];
        if (options.NoiseLevel == 0)
        {
            return flags;
        }
        if (options.WindowSize is not { } w)
        {
            Array.Fill(flags, true);
            return flags;
        }
        var (lo, hi) = options.WindowRange ?? (0, options.Steps);
        using var start = Tensor.RandInt(lo, hi - w + 1, [1], generator);
        var s = (int)start.ToArray<long>()[0];
        for (var k = s; k < s + w; k++)
        {
            flags[k] = true;
        }
        return flags;
    }
}
