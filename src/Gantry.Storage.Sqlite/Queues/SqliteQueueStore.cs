using Gantry.Core.Queues;
using Gantry.Core.Storage;

namespace Gantry.Storage.Sqlite;

/// <summary>The queues port on SQLite.</summary>
internal sealed class SqliteQueueStore(SqliteStore store) : IQueueStore
{
    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => Task.FromResult(store.Reads.QueueList());

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.QueueSetPaused(queue, paused, now));

    public Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.QueueSetLane(queue, lane, now));

    public Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct) => Task.FromResult(store.Reads.QueueListSettings());
}
