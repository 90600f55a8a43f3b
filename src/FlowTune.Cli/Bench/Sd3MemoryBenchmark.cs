using System.Diagnostics;
using System.Globalization;
using FlowTune.Models.Sd3;
using FlowTune.Torch;

namespace FlowTune.Cli.Bench;

/// <summary>
/// Activation memory of LoRA training on an SD3 transformer, measured on the host (process RSS): shallow copies of a
/// config (1 and 3 blocks, with and without dual attention, random weights, the reference's LoRA) run one image's
/// forward with gradients and a backward; the growth per block, times the config's blocks of each kind, estimates
/// the full model. The default config is SD3.5-Medium's (24 blocks of width 1536, the first 13 with dual attention).
/// </summary>
public static class Sd3MemoryBenchmark
{
    /// <summary>SD3.5-Medium's transformer/config.json.</summary>
    public static Sd3TransformerConfig Sd35Medium => new()
    {
        SampleSize = 128, PatchSize = 2, InChannels = 16, OutChannels = 16, NumLayers = 24, AttentionHeadDim = 64, NumAttentionHeads = 24,
        JointAttentionDim = 4096, CaptionProjectionDim = 1536, PooledProjectionDim = 2048, PosEmbedMaxSize = 384,
        DualAttentionLayers = [.. Enumerable.Range(0, 13)], QkRmsNorm = true,
    };

    /// <summary>One shallow model's figures (bytes).</summary>
    public sealed record Probe(int Blocks, bool Dual, long Parameters, long ParameterBytes, long HeldAfterForward, long PeakDuringBackward, double Seconds);

    /// <summary>Measures the probes and writes the table and the estimate to <paramref name="log"/>.</summary>
    /// <param name="config">The transformer config (its blocks are probed in shallow copies).</param>
    /// <param name="imageSize">Image side in pixels.</param>
    /// <param name="textTokens">Text tokens of the prompt (CLIP 77 + T5).</param>
    /// <param name="rank">LoRA rank (alpha = 2 · rank).</param>
    /// <param name="precision">no: float32; bf16: bf16 base weights and autocast, float32 adapters (fp16 needs CUDA).</param>
    /// <param name="log">Where the table and the estimate go.</param>
    public static IReadOnlyList<Probe> Run(Sd3TransformerConfig config, int imageSize, int textTokens, int rank, MixedPrecision precision, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(log);
        var latent = imageSize / 8;                                  // SD3's VAE scale
        var probes = new List<Probe>();
        foreach (var dual in new[] { false, true })
        {
            foreach (var blocks in new[] { 1, 3 })
            {
                var probe = Measure(config with { NumLayers = blocks, DualAttentionLayers = dual ? [.. Enumerable.Range(0, blocks)] : [] }, latent, textTokens, rank, precision);
                probes.Add(probe);
                log.WriteLine(Invariant($"{blocks} block(s){(dual ? ", dual attention" : "")}: {probe.Parameters:N0} parameters ({Gb(probe.ParameterBytes)}), held after forward {Gb(probe.HeldAfterForward)}, peak over parameters in backward {Gb(probe.PeakDuringBackward)} ({probe.Seconds:F1} s)"));
            }
        }
        double PerBlock(bool dual, Func<Probe, long> f) => (f(probes.Single(p => p.Dual == dual && p.Blocks == 3)) - f(probes.Single(p => p.Dual == dual && p.Blocks == 1))) / 2.0;
        var dualBlocks = config.DualAttentionLayers.Count(i => i < config.NumLayers);
        var plainBlocks = config.NumLayers - dualBlocks;
        foreach (var (name, f) in new (string, Func<Probe, long>)[] { ("held after forward", p => p.HeldAfterForward), ("peak in backward", p => p.PeakDuringBackward) })
        {
            var plain = PerBlock(false, f);
            var dualCost = PerBlock(true, f);
            var rest = f(probes.Single(p => !p.Dual && p.Blocks == 1)) - plain;  // embeddings, the last (context_pre_only) block's excess, the output
            var total = rest + plain * plainBlocks + dualCost * dualBlocks;
            log.WriteLine(Invariant($"{name}: {Gb((long)plain)} per block, {Gb((long)dualCost)} per dual-attention block → {config.NumLayers} blocks ({dualBlocks} dual) ≈ {Gb((long)total)} per image at {imageSize} px ({latent / config.PatchSize * (latent / config.PatchSize)} image + {textTokens} text tokens)"));
        }
        return probes;
    }

    private static Probe Measure(Sd3TransformerConfig config, int latent, int textTokens, int rank, MixedPrecision precision)
    {
        Collect();
        var before = Rss();
        using var generator = new Generator(0);
        using var transformer = new Sd3Transformer(config, generator);
        transformer.SetRequiresGrad(false);
        if (precision.ComputeType() is { } dtype)
        {
            transformer.To(dtype);   // the frozen base in 16 bits; the adapters below are made in float32
        }
        Sd3Lora.Attach(transformer, generator, rank, 2.0 * rank);
        var parameters = transformer.ParameterCount();
        using var hidden = Tensor.Randn([1, config.InChannels, latent, latent], generator);       // [1, C, h, w]
        using var text = Tensor.Randn([1, textTokens, config.JointAttentionDim], generator);       // [1, L, D]
        using var pooled = Tensor.Randn([1, config.PooledProjectionDim], generator);               // [1, P]
        using var timestep = Tensor.FromArray(new[] { 500f }, 1);
        Collect();
        var loaded = Rss();
        ResetPeak();
        var clock = Stopwatch.StartNew();
        long held, peak;
        using (var scope = TensorScope.Enter())
        using (precision.Enter(DeviceType.Cpu))
        {
            var output = transformer.Forward(hidden, text, pooled, timestep);                      // [1, C, h, w]
            held = Rss() - loaded;
            output.Square().Mean().Backward();
            peak = Peak() - loaded;
        }
        return new Probe(config.NumLayers, config.DualAttentionLayers.Count > 0, parameters, loaded - before, held, peak, clock.Elapsed.TotalSeconds);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static long Rss() => Status("VmRSS:");

    private static long Peak() => Status("VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (Linux: writing 5 to /proc/self/clear_refs).</summary>
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Gb(long bytes) => Invariant($"{bytes / 1e9:F2} GB");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
