using System.Globalization;
using FlowTune.Rl.Bench;
using FlowTune.Common;
using FlowTune.Rl;
using FlowTune.Rl.Config;
using FlowTune.Torch;

namespace FlowTune.Cli.Bench;

/// <summary><c>flowtune bench rl</c>: an RL config's epoch under several thread settings, with its stage breakdown.</summary>
public static class RlBenchmark
{
    /// <summary>Runs the benchmark and prints every epoch, then the medians per setting; returns the summaries.</summary>
    public static IReadOnlyList<RlThreadSummary> Run(string configPath, int epochs, IReadOnlyList<ThreadSetting> settings, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var config = RlConfigLoader.Load(configPath);
        var env = string.Join(", ", TorchRuntime.EnvironmentInForce.Select(kv => $"{kv.Key}={kv.Value}"));
        output.WriteLine(Invariant($"bench rl: {configPath}, {config.ImagesPerEpoch} images per epoch, {config.Sample.NumSteps} steps; a warm-up epoch per setting, then {epochs} rounds alternating [{string.Join("; ", settings.Select(s => s.Label))}] (no evaluation, nothing written); libtorch {TorchRuntime.Version}, {env}"));
        var summaries = RlEpochBenchmark.Run(config, epochs, settings, (e, warmUp) =>
            output.WriteLine(Invariant($"  epoch {e.Epoch + 1} ({e.Setting.Label}{(warmUp ? ", warm-up" : "")}): {e.Seconds:F2} s, {e.ImagesPerSecond:F1} img/s (sampling {e.SamplingSeconds:F2} s), reward {e.RewardMean:F3}")));
        output.Write(Format(summaries));
        return summaries;
    }

    /// <summary>The table of medians: one column per setting, seconds and share of the epoch; speed-ups against 1 thread and of row splitting.</summary>
    public static string Format(IReadOnlyList<RlThreadSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var width = Math.Max(18, summaries.Max(s => s.Setting.Label.Length) + 2);
        string Cells(Func<RlThreadSummary, string> cell) => string.Concat(summaries.Select(s => cell(s).PadLeft(width)));
        w.WriteLine(Invariant($"median of {summaries[0].Epochs} epochs  {"",-8}{Cells(s => s.Setting.Label)}"));
        void Row(string name, Func<RlThreadSummary, double> seconds, bool share = true) =>
            w.WriteLine(Invariant($"  {name,-32}{Cells(s => share ? Invariant($"{seconds(s):F2} s {seconds(s) / s.Seconds,6:P0}") : Invariant($"{seconds(s):F2} s{"",7}"))}"));
        foreach (var stage in RlEpochBenchmark.MainThreadStages)
        {
            Row(stage, s => s.Stages[stage]);
        }
        Row("other", s => s.OtherSeconds);
        Row("epoch", s => s.Seconds);
        Row(StageTimes.RewardScore + ", beside", s => s.Stages[StageTimes.RewardScore], share: false);
        w.WriteLine(Invariant($"  {"images/s",-32}{Cells(s => Invariant($"{s.ImagesPerSecond:F1}{"",8}"))}"));
        var one = summaries.FirstOrDefault(s => s.Setting.Threads == 1);
        foreach (var s in summaries.Where(s => one is not null && s.Setting.Threads > 1))
        {
            w.WriteLine(Invariant($"  {s.Setting.Label} are {one!.Seconds / s.Seconds:F2}× as fast as 1"));
        }
        foreach (var s in summaries.Where(s => s.Setting is { Threads: > 1, RowSplit: true }))
        {
            if (summaries.FirstOrDefault(o => o.Setting == s.Setting with { RowSplit = false }) is { } off)
            {
                w.WriteLine(Invariant($"  row split at {s.Setting.Threads} threads: {off.Seconds / s.Seconds:F2}× as fast as without"));
            }
        }
        return w.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
