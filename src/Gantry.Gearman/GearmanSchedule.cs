namespace Gantry.Gearman;

/// <summary>
/// SUBMIT_JOB_SCHED, which gearmand accepts but never implemented: the job runs once, at the next minute (UTC) that
/// matches the given minute, hour, day of month, month and day of week (0 = Monday, as the protocol says). An empty
/// field matches any value, like a <c>*</c> in cron.
/// </summary>
internal static class GearmanSchedule
{
    /// <summary>The next matching minute strictly after <paramref name="now"/>; false with a reason when a field is out of range.</summary>
    public static bool TryNext(DateTimeOffset now, string minute, string hour, string dayOfMonth, string month, string dayOfWeek,
        out DateTimeOffset next, out string why)
    {
        next = default;
        if (!Field(minute, 0, 59, "minute", out var mi, out why) || !Field(hour, 0, 23, "hour", out var h, out why) ||
            !Field(dayOfMonth, 1, 31, "day of month", out var dom, out why) || !Field(month, 1, 12, "month", out var mo, out why) ||
            !Field(dayOfWeek, 0, 6, "day of week", out var dow, out why))
            return false;

        var t = new DateTime(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(1);
        var limit = t.AddYears(5); // Feb 29 on a Monday, say, comes round within this; an impossible date never does.
        while (t < limit)
        {
            if (mo is { } m && t.Month != m) { t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1); continue; }
            var monday0 = ((int)t.DayOfWeek + 6) % 7;
            if ((dom is { } d && t.Day != d) || (dow is { } w && monday0 != w)) { t = t.Date.AddDays(1); continue; }
            if (h is { } hh && t.Hour != hh) { t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1); continue; }
            if (mi is { } mm && t.Minute != mm) { t = t.AddMinutes(1); continue; }
            next = new DateTimeOffset(t);
            return true;
        }
        why = "no date matches that schedule";
        return false;
    }

    private static bool Field(string text, int min, int max, string name, out int? value, out string why)
    {
        value = null;
        why = "";
        text = text.Trim();
        if (text.Length == 0 || text == "*") return true;
        if (!int.TryParse(text, out var v) || v < min || v > max)
        {
            why = $"the {name} must be empty or from {min} to {max} (got '{text}')";
            return false;
        }
        value = v;
        return true;
    }
}
