namespace Gantry.Core.Recurring;

/// <summary>
/// The port to a cron library (the core writes no parser). Forms every implementation accepts:
/// five fields (<c>minute hour day-of-month month day-of-week</c>, crontab's meaning, Sunday is 0 or 7),
/// six or seven fields (seconds first, then the same, then an optional year), and the macros
/// <c>@yearly @annually @monthly @weekly @daily @midnight @hourly</c>.
/// </summary>
public interface ICronParser
{
    /// <summary>Parses <paramref name="expression"/> read in <paramref name="timeZone"/> (an IANA id); throws a
    /// <see cref="GantryException"/> naming the field <c>cron</c> or <c>time_zone</c> when either is not valid.</summary>
    CronSchedule Parse(string expression, string timeZone);
}

/// <summary>A parsed expression in its time zone.</summary>
public abstract class CronSchedule
{
    /// <summary>The first tick strictly after <paramref name="instant"/>, or null when there is none. Clock changes: a tick
    /// whose reading a spring-forward gap skips fires at the instant the clocks jump to; a reading that a fall-back
    /// repeats fires once, at its first occurrence (an expression naming every hour still fires in both hours).</summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset instant);

    /// <summary>Up to <paramref name="count"/> ticks after <paramref name="instant"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Upcoming(DateTimeOffset instant, int count)
    {
        var ticks = new List<DateTimeOffset>(count);
        for (var t = NextAfter(instant); t is { } tick && ticks.Count < count; t = NextAfter(tick)) ticks.Add(tick);
        return ticks;
    }
}
