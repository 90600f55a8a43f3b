using System.Diagnostics;
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
        var states = new TaskStates();
        var code = 0;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(states), new RateColumn(states), new ElapsedTimeColumn(), new EtaColumn(states))
            .Start(context =>
            {
                using var log = new ConsoleLineWriter(console);
                code = body(new LiveProgress(context, states), log);
            });
        return code;
    }

    /// <summary>
    /// What a bar shows besides Spectre's own state: the unit, and the first report's value and time, from which the
    /// rate (units per second since then) and the ETA (what is left at that rate) are computed.
    /// </summary>
    private sealed record TaskState(string Unit, double FirstValue, Stopwatch Clock)
    {
        public double? Rate(ProgressTask task) =>
            Clock.Elapsed.TotalSeconds is var s && s > 0.5 && task.Value > FirstValue ? (task.Value - FirstValue) / s : null;
    }

    /// <summary>The states of every bar, by Spectre task id (read by the render thread, written by the reporting thread).</summary>
    private sealed class TaskStates
    {
        private readonly Dictionary<int, TaskState> _states = [];

        public void Set(ProgressTask task, TaskState state)
        {
            lock (_states)
            {
                _states[task.Id] = state;
            }
        }

        public TaskState? Get(ProgressTask task)
        {
            lock (_states)
            {
                return _states.GetValueOrDefault(task.Id);
            }
        }
    }

    /// <summary>Turns reports into Spectre tasks, one per task name (a report that starts over opens a new bar).</summary>
    private sealed class LiveProgress(ProgressContext context, TaskStates states) : IProgress<ProgressReport>
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
                    states.Set(task, new TaskState(value.Unit, value.Done, Stopwatch.StartNew()));
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
    private sealed class CountColumn(TaskStates states) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(FormattableString.Invariant($"{task.Value:0.##}/{task.MaxValue:0.##} {states.Get(task)?.Unit}"));
    }

    /// <summary>"3.2 images/s" (or per minute when slower than one per second), since the bar's first report.</summary>
    private sealed class RateColumn(TaskStates states) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            states.Get(task) is { } state && state.Rate(task) is { } rate
                ? new Text(rate >= 1 ? FormattableString.Invariant($"{rate:F1} {state.Unit}/s") : FormattableString.Invariant($"{rate * 60:F2} {state.Unit}/min"), new Style(Color.Grey))
                : new Text("");
    }

    /// <summary>"ETA 00:03:12": what is left at the rate since the first report.</summary>
    private sealed class EtaColumn(TaskStates states) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            task.IsFinished ? new Text("done", new Style(Color.Green))
            : states.Get(task)?.Rate(task) is { } rate
                ? new Text("ETA " + Clock(TimeSpan.FromSeconds(Math.Min((task.MaxValue - task.Value) / rate, 359_999))), new Style(Color.Blue))
                : new Text("ETA …", new Style(Color.Grey));

        private static string Clock(TimeSpan t) => FormattableString.Invariant($"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}");
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
