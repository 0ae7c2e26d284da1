using Gantry.Core.Queues;
using Gantry.Core.Recurring;
using Gantry.Core.Storage;

namespace Gantry.Storage.Postgres;

/// <summary>The queues port with every call going through <see cref="PostgresCalls"/>: reads retried once on a broken
/// connection, writes not, and an unreachable database reported as such.</summary>
internal sealed class GuardedQueueStore(IQueueStore inner, PostgresCalls calls) : IQueueStore
{
    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => calls.Safe(inner.QueueList, ct);

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.QueueSetPaused(queue, paused, now, c), ct);

    public Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct) =>
        calls.Once(c => inner.QueueSetLane(queue, lane, now, c), ct);

    public Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct) => calls.Safe(inner.QueueListSettings, ct);
}

/// <summary>The recurring schedules port with every call going through <see cref="PostgresCalls"/>.</summary>
internal sealed class GuardedRecurringStore(IRecurringStore inner, PostgresCalls calls) : IRecurringStore
{
    public Task RecurringSave(RecurringSchedule schedule, CancellationToken ct) => calls.Once(c => inner.RecurringSave(schedule, c), ct);

    public Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) => calls.Safe(c => inner.RecurringGet(name, c), ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) => calls.Safe(inner.RecurringList, ct);

    public Task<bool> RecurringDelete(string name, CancellationToken ct) => calls.Once(c => inner.RecurringDelete(name, c), ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringGetDue(now, limit, c), ct);

    public Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct) => calls.Safe(inner.RecurringGetNextFireAt, ct);

    // A fire is one transaction that a unique (schedule, tick) record guards: repeating one whose answer was lost finds
    // the record and changes nothing, so it is safe to try again.
    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => calls.Safe(c => inner.RecurringFire(fire, c), ct);

    public Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringListFires(name, limit, c), ct);

    public Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        calls.Safe(c => inner.RecurringDeleteFiresBefore(cutoff, limit, c), ct);
}
