using System.Globalization;

namespace FlowTune.Common;

/// <summary>
/// How far a long task is (<c>pretrain</c> steps, <c>train</c> epochs or minutes, <c>eval</c> images, <c>compare</c>
/// runs): <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/>. Long-running code reports
/// these through an <see cref="IProgress{T}"/>; the CLI shows them as live bars with rates and ETAs on a terminal and
/// as plain lines otherwise.
/// </summary>
public readonly record struct ProgressReport(string Task, double Done, double Total, string Unit);

/// <summary>Progress as plain lines (logs, CI): one line per report, e.g. <c>  eval 64/171 images</c>.</summary>
public sealed class LineProgress(TextWriter writer) : IProgress<ProgressReport>
{
    /// <inheritdoc />
    public void Report(ProgressReport value) =>
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {value.Task} {value.Done:0.##}/{value.Total:0.##} {value.Unit}"));
}
