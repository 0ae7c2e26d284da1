using Gantry.Core.Recurring;

namespace Gantry.Core.Storage;

/// <summary>The recurring schedules port: schedules, their due ticks, and the fire records that make a tick fire once
/// across every server sharing the store.</summary>
public interface IRecurringStore
{
    /// <summary>Inserts the schedule, or replaces an existing one's definition, source, pause state, next fire time and
    /// updated time; an existing one keeps its created time, last fire and last job.</summary>
    Task RecurringSave(RecurringSchedule schedule, CancellationToken ct);

    Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct);

    /// <summary>Every schedule, by name.</summary>
    Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct);

    /// <summary>Deletes the schedule and its fire records; false when there was none.</summary>
    Task<bool> RecurringDelete(string name, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> unpaused schedules whose next fire time is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>The earliest next fire time among unpaused schedules, or null when there is none.</summary>
    Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct);

    /// <summary>Fires in one transaction (see <see cref="RecurringFire"/>): for a tick, only if the schedule still expects
    /// it and no fire of that tick is recorded, which a unique constraint on (schedule, tick) enforces across servers;
    /// then records the tick, inserts the job unless skipping, and moves the next fire time. For a trigger (no tick),
    /// inserts the job. Either way the inserted job becomes the schedule's last job. A tick found already recorded is
    /// <see cref="RecurringFireOutcome.Stale"/>, and the schedule still moves on to <see cref="RecurringFire.NextFireAt"/>
    /// so that tick is never due again.</summary>
    Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct);

    /// <summary>The schedule's latest fire records, newest tick first.</summary>
    Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct);

    /// <summary>Deletes up to <paramref name="limit"/> fire records of ticks before the cutoff; returns how many.</summary>
    Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct);
}
