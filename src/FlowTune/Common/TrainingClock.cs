using System.Diagnostics;

namespace FlowTune.Common;

/// <summary>What a <see cref="TrainingClock"/> counts.</summary>
public enum TrainingClockKind
{
    /// <summary>Elapsed (wall-clock) seconds.</summary>
    Wall,

    /// <summary>
    /// Elapsed seconds less the share of the machine's CPU time the hypervisor stole meanwhile (Linux /proc/stat
    /// "steal"): each interval counts dt·(1 − steal / (busy + steal)) over all CPUs. On a shared VM whose speed drifts
    /// with its neighbours this is about the time the run would take with its cores to itself; where there is no
    /// steal (bare metal, other systems) it equals <see cref="Wall"/>. Other slowdowns (contention inside the
    /// machine, frequency changes) still count.
    /// </summary>
    Unstolen,
}

/// <summary>Cumulative CPU time of the whole machine, in clock ticks: busy (user, nice, system, irq, softirq) and stolen.</summary>
public readonly record struct CpuTicks(long Busy, long Steal)
{
    /// <summary>The first line of /proc/stat, or null where it cannot be read.</summary>
    public static CpuTicks? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return Parse(reader.ReadLine());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses /proc/stat's "cpu user nice system idle iowait irq softirq steal …" line (null if it is not one).</summary>
    public static CpuTicks? Parse(string? line)
    {
        var f = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f is null || f.Length < 9 || f[0] != "cpu")
        {
            return null;
        }
        var v = new long[8];
        for (var i = 0; i < 8; i++)
        {
            if (!long.TryParse(f[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out v[i]))
            {
                return null;
            }
        }
        return new CpuTicks(v[0] + v[1] + v[2] + v[5] + v[6], v[7]);
    }

    /// <summary>The fraction of wanted CPU time stolen between <paramref name="earlier"/> and this reading (0 when nothing ran).</summary>
    public double StolenFractionSince(CpuTicks earlier)
    {
        var busy = Busy - earlier.Busy;
        var steal = Steal - earlier.Steal;
        return busy + steal > 0 && steal > 0 ? (double)steal / (busy + steal) : 0;
    }
}

/// <summary>
/// Seconds of training, carried over a resume (<paramref name="secondsBefore"/>) and paused while the run does
/// something that is not training (evaluations), so runs with different evaluation schedules compare fairly.
/// <paramref name="kind"/> says whether stolen CPU time counts; <paramref name="readTicks"/> (tests) replaces /proc/stat.
/// </summary>
public sealed class TrainingClock(double secondsBefore, TrainingClockKind kind = TrainingClockKind.Wall, Func<CpuTicks?>? readTicks = null)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Func<CpuTicks?> _readTicks = readTicks ?? CpuTicks.Read;
    private double _counted = secondsBefore;
    private TimeSpan _lastElapsed;
    private CpuTicks? _lastTicks = kind == TrainingClockKind.Unstolen ? (readTicks ?? CpuTicks.Read)() : null;

    /// <summary>What this clock counts.</summary>
    public TrainingClockKind Kind => kind;

    /// <summary>Training seconds so far.</summary>
    public double Seconds
    {
        get
        {
            Advance();
            return _counted;
        }
    }

    /// <summary>Stops counting until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        Advance();
        _watch.Stop();
    }

    /// <summary>Counts again.</summary>
    public void Resume()
    {
        if (kind == TrainingClockKind.Unstolen)
        {
            _lastTicks = _readTicks();
        }
        _watch.Start();
    }

    private void Advance()
    {
        var elapsed = _watch.Elapsed;
        var dt = (elapsed - _lastElapsed).TotalSeconds;
        _lastElapsed = elapsed;
        if (kind == TrainingClockKind.Unstolen && _watch.IsRunning)
        {
            var ticks = _readTicks();
            dt *= 1 - (ticks is { } now && _lastTicks is { } then ? now.StolenFractionSince(then) : 0);
            _lastTicks = ticks;
        }
        _counted += dt;
    }
}
