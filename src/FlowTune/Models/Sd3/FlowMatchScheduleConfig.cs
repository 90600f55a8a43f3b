using FlowTune.Models.Pretrained;

namespace FlowTune.Models.Sd3;

/// <summary>
/// diffusers' <c>FlowMatchEulerDiscreteScheduler</c> config (<c>scheduler/scheduler_config.json</c>): the fields
/// that set the sampling sigmas. FlowTune's samplers take the resulting σ grid as their time grid (t = σ).
/// </summary>
public sealed record FlowMatchScheduleConfig
{
    /// <summary>Training timesteps; the transformer sees timestep = σ · this (1000).</summary>
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>Static shift σ' = shift·σ / (1 + (shift − 1)·σ) (3.0 for SD3/SD3.5); unused with dynamic shifting.</summary>
    public double Shift { get; init; } = 1.0;

    /// <summary>Resolution-dependent shift: σ' = e^μ / (e^μ + 1/σ − 1), μ interpolated from the image's token count.</summary>
    public bool UseDynamicShifting { get; init; }

    /// <summary>μ at <see cref="BaseImageSeqLen"/> tokens (dynamic shifting).</summary>
    public double BaseShift { get; init; } = 0.5;

    /// <summary>μ at <see cref="MaxImageSeqLen"/> tokens (dynamic shifting).</summary>
    public double MaxShift { get; init; } = 1.15;

    /// <summary>Token count where μ = <see cref="BaseShift"/>.</summary>
    public int BaseImageSeqLen { get; init; } = 256;

    /// <summary>Token count where μ = <see cref="MaxShift"/>.</summary>
    public int MaxImageSeqLen { get; init; } = 4096;

    /// <summary>Reads <paramref name="path"/>; options that change the schedule in ways FlowTune lacks are errors.</summary>
    public static FlowMatchScheduleConfig Load(string path)
    {
        var json = ConfigJson.Open(path);
        json.Require(json.String("_class_name") is null or "FlowMatchEulerDiscreteScheduler", "_class_name", "expected \"FlowMatchEulerDiscreteScheduler\"");
        var config = new FlowMatchScheduleConfig
        {
            NumTrainTimesteps = json.Int("num_train_timesteps", 1000, min: 1),
            Shift = json.Double("shift", 1.0),
            UseDynamicShifting = json.Bool("use_dynamic_shifting", false),
            BaseShift = json.Double("base_shift", 0.5),
            MaxShift = json.Double("max_shift", 1.15),
            BaseImageSeqLen = json.Int("base_image_seq_len", 256, min: 1),
            MaxImageSeqLen = json.Int("max_image_seq_len", 4096, min: 1),
        };
        json.Require(config.Shift > 0, "shift", "expected a positive number");
        json.Require(config.MaxImageSeqLen != config.BaseImageSeqLen || !config.UseDynamicShifting, "max_image_seq_len", "expected a value different from base_image_seq_len");
        foreach (var flag in new[] { "invert_sigmas", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "stochastic_sampling" })
        {
            json.Require(!json.Bool(flag, false), flag, "expected false (FlowTune implements the plain flow-matching schedule only)");
        }
        json.Require(json.IsNull("shift_terminal"), "shift_terminal", "expected null (terminal stretching is not supported)");
        json.OneOf("time_shift_type", null, "exponential");
        json.ThrowIfProblems("flow-matching scheduler");
        return config;
    }
}
