using System.Globalization;
using FlowTune.Rl.Bench;
using FlowTune.Common;
using FlowTune.Rl;
using FlowTune.Rl.Config;
using FlowTune.Torch;

namespace FlowTune.Cli.Bench;

/// <summary><c>flowtune bench rl</c>: an RL config's epoch at several thread counts, with its stage breakdown.</summary>
public static class RlBenchmark
{
    /// <summary>Runs the benchmark and prints every epoch, then the medians per thread count; returns the summaries.</summary>
    public static IReadOnlyList<RlThreadSummary> Run(string configPath, int epochs, IReadOnlyList<int> threads, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var config = RlConfigLoader.Load(configPath);
        var env = string.Join(", ", TorchRuntime.EnvironmentInForce.Select(kv => $"{kv.Key}={kv.Value}"));
        output.WriteLine(Invariant($"bench rl: {configPath}, {config.ImagesPerEpoch} images per epoch, {config.Sample.NumSteps} steps; a warm-up epoch per thread count, then {epochs} rounds alternating threads [{string.Join(", ", threads)}] (no evaluation, nothing written); libtorch {TorchRuntime.Version}, {env}"));
        var summaries = RlEpochBenchmark.Run(config, epochs, threads, (e, warmUp) =>
            output.WriteLine(Invariant($"  epoch {e.Epoch + 1} ({e.Threads} threads{(warmUp ? ", warm-up" : "")}): {e.Seconds:F2} s, {e.ImagesPerSecond:F1} img/s (sampling {e.SamplingSeconds:F2} s), reward {e.RewardMean:F3}")));
        output.Write(Format(summaries));
        return summaries;
    }

    /// <summary>The table of medians: one column per thread count, seconds and share of the epoch.</summary>
    public static string Format(IReadOnlyList<RlThreadSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var head = string.Concat(summaries.Select(s => $"{(s.Threads == 1 ? "1 thread" : $"{s.Threads} threads"),18}"));
        w.WriteLine(Invariant($"median of {summaries[0].Epochs} epochs  {"",-8}{head}"));
        void Row(string name, Func<RlThreadSummary, double> seconds, bool share = true) =>
            w.WriteLine(Invariant($"  {name,-32}{string.Concat(summaries.Select(s => share ? Invariant($"{seconds(s),8:F2} s {seconds(s) / s.Seconds,6:P0}") : Invariant($"{seconds(s),8:F2} s{"",7}")))}"));
        foreach (var stage in RlEpochBenchmark.MainThreadStages)
        {
            Row(stage, s => s.Stages[stage]);
        }
        Row("other", s => s.OtherSeconds);
        Row("epoch", s => s.Seconds);
        Row(StageTimes.RewardScore + ", beside", s => s.Stages[StageTimes.RewardScore], share: false);
        w.WriteLine(Invariant($"  {"images/s",-32}{string.Concat(summaries.Select(s => Invariant($"{s.ImagesPerSecond,10:F1}{"",8}")))}"));
        var one = summaries.FirstOrDefault(s => s.Threads == 1);
        foreach (var s in summaries.Where(s => one is not null && s.Threads > 1))
        {
            w.WriteLine(Invariant($"  {s.Threads} threads are {one!.Seconds / s.Seconds:F2}× as fast as 1"));
        }
        return w.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
