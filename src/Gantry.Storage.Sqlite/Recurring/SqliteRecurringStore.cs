using Gantry.Core.Recurring;
using Gantry.Core.Storage;

namespace Gantry.Storage.Sqlite;

/// <summary>The recurring schedules port on SQLite.</summary>
internal sealed class SqliteRecurringStore(SqliteStore store) : IRecurringStore
{
    public Task RecurringSave(RecurringSchedule schedule, CancellationToken ct) => store.Writer.Run(w => w.RecurringSave(schedule));

    public Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) => Task.FromResult(store.Reads.RecurringGet(name));

    public Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) => Task.FromResult(store.Reads.RecurringList());

    public Task<bool> RecurringDelete(string name, CancellationToken ct) => store.Writer.Run(w => w.RecurringDelete(name));

    public Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(store.Reads.RecurringGetDue(now, limit));

    public Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct) => Task.FromResult(store.Reads.RecurringGetNextFireAt());

    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => store.Writer.Run(w => w.RecurringFire(fire));

    public Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct) =>
        Task.FromResult(store.Reads.RecurringListFires(name, limit));

    public Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        store.Writer.Run(w => w.RecurringDeleteFiresBefore(cutoff, limit));
}
