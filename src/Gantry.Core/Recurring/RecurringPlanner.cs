namespace Gantry.Core.Recurring;

/// <summary>What to do with a due schedule: pure, so misfire policies are tested without a clock or a store.</summary>
public static class RecurringPlanner
{
    /// <summary>Ticks counted at most when reporting a misfire: an every-second schedule down for a week should not
    /// walk 600,000 ticks just to log a number.</summary>
    public const int MaxMissedTicksCounted = 1000;

    /// <summary>Decides the fire of <paramref name="schedule"/>'s due tick at <paramref name="now"/>.</summary>
    /// <param name="schedule">A schedule whose <see cref="RecurringSchedule.NextFireAt"/> is at or before now.</param>
    /// <param name="cron">Its parsed expression.</param>
    /// <param name="now">The current time.</param>
    /// <param name="misfireThreshold">How late a tick may fire and still count as on time.</param>
    public static RecurringStep Plan(RecurringSchedule schedule, CronSchedule cron, DateTimeOffset now, TimeSpan misfireThreshold)
    {
        var tick = schedule.NextFireAt ?? throw new ArgumentException("The schedule has no due tick.", nameof(schedule));
        if (now - tick <= misfireThreshold)
        {
            // On time (or late by less than the threshold): fire this tick; a following tick that is already due is the
            // next pass's, so a short stall catches up tick by tick.
            return new RecurringStep(tick, Misfired: false, MissedTicks: 0, Fire: true, cron.NextAfter(tick));
        }
        var missed = 1;
        for (var t = cron.NextAfter(tick); t is { } next && next <= now && missed < MaxMissedTicksCounted; t = cron.NextAfter(next)) missed++;
        return new RecurringStep(tick, Misfired: true, missed, Fire: schedule.Definition.Misfire == MisfirePolicy.FireOnce, cron.NextAfter(now));
    }
}

/// <summary>A planned fire.</summary>
/// <param name="Tick">The tick fired or skipped (recorded under the store's unique constraint).</param>
/// <param name="Misfired">The tick was later than the misfire threshold.</param>
/// <param name="MissedTicks">For a misfire: how many ticks were missed (at most <see cref="RecurringPlanner.MaxMissedTicksCounted"/>).</param>
/// <param name="Fire">Enqueue a job (false: record the tick as skipped).</param>
/// <param name="NextFireAt">The next tick to wait for.</param>
public readonly record struct RecurringStep(DateTimeOffset Tick, bool Misfired, int MissedTicks, bool Fire, DateTimeOffset? NextFireAt);
