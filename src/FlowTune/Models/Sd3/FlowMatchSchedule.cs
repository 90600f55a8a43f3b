namespace FlowTune.Models.Sd3;

/// <summary>
/// The sampling sigmas of diffusers' <c>FlowMatchEulerDiscreteScheduler.set_timesteps(n)</c> as the SD3 pipeline
/// calls it, so FlowTune's samplers (which take σ as their time t, 1 = noise) walk the reference's grid exactly:
/// <list type="number">
/// <item>σ_max and σ_min of the training schedule: the static shift applied to 1 and to 1/N (dynamic: 1 and 1/N);</item>
/// <item>n values evenly spaced from σ_max to σ_min (in timestep units, then / N);</item>
/// <item>the static shift again (diffusers applies it to already-shifted endpoints), or the dynamic one with μ;</item>
/// <item>σ = 0 appended.</item>
/// </list>
/// σ_min is computed in float32 (diffusers keeps the training sigmas as a float32 tensor); the rest in float64,
/// rounded to float32 at the end as diffusers' <c>torch.from_numpy(...).to(float32)</c>.
/// </summary>
public static class FlowMatchSchedule
{
    /// <summary>The n + 1 sigmas from noise (σ_0 = 1 with static shift) to σ_n = 0.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="steps">Inference steps n.</param>
    /// <param name="imageTokens">The transformer's token count (latent h·w / patch²), needed for dynamic shifting.</param>
    public static double[] Sigmas(FlowMatchScheduleConfig config, int steps, int imageTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var n = config.NumTrainTimesteps;
        float StaticShift32(float s) => (float)config.Shift * s / (1 + ((float)config.Shift - 1) * s);
        var sigmaMax = config.UseDynamicShifting ? 1f : StaticShift32(1f);
        var sigmaMin = config.UseDynamicShifting ? 1f / n : StaticShift32((float)(1.0 / n));
        var mu = config.UseDynamicShifting ? Mu(config, imageTokens) : 0.0;
        var sigmas = new double[steps + 1];
        double start = (double)sigmaMax * n, end = (double)sigmaMin * n;
        var delta = steps == 1 ? 0 : (end - start) / (steps - 1);  // numpy.linspace: k·step + start, the last point exactly end
        for (var k = 0; k < steps; k++)
        {
            var timestep = k == steps - 1 && steps > 1 ? end : k * delta + start;
            var s = timestep / n;
            var shifted = config.UseDynamicShifting
                ? Math.Exp(mu) / (Math.Exp(mu) + (1 / s - 1))
                : config.Shift * s / (1 + (config.Shift - 1) * s);
            sigmas[k] = (float)shifted;
        }
        sigmas[steps] = 0;
        return sigmas;
    }

    /// <summary>
    /// The dynamic shift's μ for an image of <paramref name="imageTokens"/> tokens: linear from base_shift at
    /// base_image_seq_len to max_shift at max_image_seq_len (the SD3 pipeline's <c>calculate_shift</c>).
    /// </summary>
    public static double Mu(FlowMatchScheduleConfig config, int imageTokens)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageTokens, 1);
        var m = (config.MaxShift - config.BaseShift) / (config.MaxImageSeqLen - config.BaseImageSeqLen);
        var b = config.BaseShift - m * config.BaseImageSeqLen;
        return imageTokens * m + b;
    }
}
