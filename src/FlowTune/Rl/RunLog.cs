using System.Text.Json;
using FlowTune.IO;
using FlowTune.Training;

namespace FlowTune.Rl;

/// <summary>
/// The epoch and evaluation records of a run directory's <c>metrics.jsonl</c>. A resumed run appends again the epochs
/// after its checkpoint, so each epoch's last record wins, an evaluation is dropped when its epoch or an earlier one is
/// run again after it (the interrupted run's evaluations, which the resumed run may make at other epochs), and records
/// after <c>upToEpoch</c> (a crashed run's tail beyond the checkpoint it resumes from) are left out.
/// </summary>
public sealed record RunLog(IReadOnlyList<EpochMetrics> Epochs, IReadOnlyList<EvalMetrics> Evaluations)
{
    /// <summary>File name inside a run directory.</summary>
    public const string FileName = MetricsLog.FileName;

    /// <summary>Reads <paramref name="runDirectory"/>'s log (empty when there is none); a malformed line names the file and line.</summary>
    public static RunLog Read(string runDirectory, int upToEpoch = int.MaxValue)
    {
        var path = Path.Combine(runDirectory, FileName);
        var epochs = new SortedDictionary<int, EpochMetrics>();
        var evals = new SortedDictionary<int, EvalMetrics>();
        if (File.Exists(path))
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    var kind = doc.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : null;
                    if (kind == "epoch" && doc.RootElement.Deserialize<EpochMetrics>(Json.Options) is { } e && e.Epoch <= upToEpoch)
                    {
                        epochs[e.Epoch] = e;
                        // an epoch run again after a resume: evaluations written after it by the interrupted run are stale
                        foreach (var stale in evals.Keys.Where(k => k >= e.Epoch).ToList())
                        {
                            evals.Remove(stale);
                        }
                    }
                    else if (kind == "eval" && doc.RootElement.Deserialize<EvalMetrics>(Json.Options) is { } v && v.Epoch <= upToEpoch)
                    {
                        evals[v.Epoch] = v;
                    }
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: {ex.Message}", ex);
                }
            }
        }
        return new RunLog([.. epochs.Values], [.. evals.Values]);
    }

    /// <summary>Training seconds recorded at the end of <paramref name="epoch"/> (0 when absent, e.g. epoch 0).</summary>
    public double ElapsedAfter(int epoch) => Epochs.LastOrDefault(e => e.Epoch == epoch)?.ElapsedSeconds ?? 0;
}
