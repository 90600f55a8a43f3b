using FlowTune.Models;
using FlowTune.Rl.Rollouts;
using FlowTune.Rl.Update;
using FlowTune.Torch;

namespace FlowTune.Rl.Objectives;

/// <summary>What an objective needs from the other stages; the pipeline builds only that.</summary>
/// <param name="Trajectory">Rollouts keep every state and transition log-prob (else only the final images).</param>
/// <param name="StochasticRollouts">Rollouts must be SDE/CPS (<c>sample.noise_level</c> &gt; 0): the objective trains transition likelihoods.</param>
/// <param name="Reference">A frozen reference policy (the base) is kept for a KL anchor.</param>
/// <param name="SamplingPolicy">
/// Non-null: rollouts come from a separate sampling policy, moved toward the trained one after each epoch's updates
/// on this schedule. Null: the trained policy samples.
/// </param>
/// <param name="StepAdvantages">The objective can weigh each step by its own advantage (step-level estimators).</param>
public sealed record ObjectiveNeeds(bool Trajectory, bool StochasticRollouts, bool Reference, SamplingPolicySchedule? SamplingPolicy, bool StepAdvantages);

/// <summary>What an objective is built from.</summary>
/// <param name="Seed">The run seed (objectives that draw noise derive their streams from it).</param>
/// <param name="Models">The policy, reference and sampling networks.</param>
/// <param name="Rollouts">The <c>sample</c> section the rollouts were drawn with.</param>
public sealed record ObjectiveContext(int Seed, IPolicyNetworks Models, RolloutOptions Rollouts);

/// <summary>The networks an objective evaluates (the update stage's <c>PolicyModels</c>, or a stub in tests).</summary>
public interface IPolicyNetworks
{
    /// <summary>The trained policy v_θ.</summary>
    IVelocityModel Policy { get; }

    /// <summary>The separate sampling policy v_old (objectives whose needs ask for one), else null.</summary>
    IVelocityModel? SamplingPolicy { get; }

    /// <summary>Evaluates <paramref name="forward"/> on the frozen reference policy, without gradient.</summary>
    Tensor ReferenceVelocity(Func<IVelocityModel, Tensor> forward);
}

/// <summary>
/// The loss an RL update minimises on an epoch's rollouts. The updater owns the optimizer loop (grouping batches
/// into <c>updates_per_epoch</c> steps, clipping, EMA); an objective only accumulates gradients for one batch.
/// </summary>
public interface IPolicyObjective
{
    /// <summary>Called once per epoch before the first update (e.g. to seed the epoch's re-noising draws).</summary>
    void BeginEpoch(int epoch);

    /// <summary>
    /// Accumulates the gradient of this batch's loss, scaled by <paramref name="weight"/> (1 / batches in the
    /// update), and records its statistics.
    /// </summary>
    void Accumulate(TrainingBatch batch, double weight, UpdateStats stats);
}

/// <summary>Options of an objective (<c>objective: {name: …}</c>; see <see cref="PolicyObjectives"/>).</summary>
public interface IObjectiveOptions
{
    /// <summary>What the objective needs (from these options).</summary>
    ObjectiveNeeds Needs { get; }

    /// <summary>Every problem with the values.</summary>
    IEnumerable<string> Validate();

    /// <summary>The objective.</summary>
    IPolicyObjective Create(ObjectiveContext context);
}
