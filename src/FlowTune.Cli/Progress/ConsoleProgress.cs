using FlowTune.Common;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FlowTune.Cli.Progress;

/// <summary>
/// Progress of a long command on the console: on an interactive terminal, live bars (Spectre.Console) with rate,
/// elapsed time and ETA per task while the command's log lines scroll above them; otherwise (output redirected, CI,
/// <c>NO_COLOR</c>-style dumb terminals) nothing changes: the log lines are the progress, as plain text.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Whether live bars are drawn: stdout is an interactive terminal and CI is not set.</summary>
    public static bool IsLive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// Runs <paramref name="body"/> with a progress sink and the writer its log lines go to: live bars on a terminal,
    /// else <paramref name="plain"/> (null: no progress lines) and the console. Returns the body's exit code.
    /// </summary>
    public static int Run(Func<IProgress<ProgressReport>?, TextWriter, int> body, IProgress<ProgressReport>? plain = null) =>
        IsLive ? Run(AnsiConsole.Console, body) : body(plain, Console.Out);

    /// <summary>Runs <paramref name="body"/> under live bars drawn on <paramref name="console"/>.</summary>
    public static int Run(IAnsiConsole console, Func<IProgress<ProgressReport>?, TextWriter, int> body)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        var units = new Dictionary<int, string>();
        var code = 0;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(units), new RateColumn(units), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                using var log = new ConsoleLineWriter(console);
                code = body(new LiveProgress(context, units), log);
            });
        return code;
    }

    /// <summary>Turns reports into Spectre tasks, one per task name (a report that starts over opens a new bar).</summary>
    private sealed class LiveProgress(ProgressContext context, Dictionary<int, string> units) : IProgress<ProgressReport>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

        public void Report(ProgressReport value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(value.Task, out var task) || value.Done < task.Value)
                {
                    task?.StopTask();
                    task = context.AddTask(Markup.Escape(value.Task), maxValue: Math.Max(value.Total, 1e-9));
                    lock (units)
                    {
                        units[task.Id] = value.Unit;
                    }
                    _tasks[value.Task] = task;
                }
                task.MaxValue = Math.Max(value.Total, 1e-9);
                task.Value = value.Done;
                if (value.Done >= value.Total)
                {
                    task.StopTask();
                }
            }
        }
    }

    /// <summary>"64/171 images".</summary>
    private sealed class CountColumn(Dictionary<int, string> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            string unit;
            lock (units)
            {
                unit = units.GetValueOrDefault(task.Id, "");
            }
            return new Text(FormattableString.Invariant($"{task.Value:0.##}/{task.MaxValue:0.##} {unit}"));
        }
    }

    /// <summary>"3.2 images/s" (Spectre's windowed speed; minutes per second shown as a ratio of wall time).</summary>
    private sealed class RateColumn(Dictionary<int, string> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            string unit;
            lock (units)
            {
                unit = units.GetValueOrDefault(task.Id, "");
            }
            return task.Speed is { } speed
                ? new Text(speed >= 1 ? FormattableString.Invariant($"{speed:F1} {unit}/s") : FormattableString.Invariant($"{speed * 60:F2} {unit}/min"), new Style(Color.Grey))
                : new Text("");
        }
    }

    /// <summary>A writer whose complete lines are written above the live bars (plain text, never markup).</summary>
    private sealed class ConsoleLineWriter(IAnsiConsole console) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    console.WriteLine(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                else
                {
                    _line.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        protected override void Dispose(bool disposing)
        {
            lock (_line)
            {
                if (_line.Length > 0)
                {
                    console.WriteLine(_line.ToString());
                    _line.Clear();
                }
            }
            base.Dispose(disposing);
        }
    }
}
