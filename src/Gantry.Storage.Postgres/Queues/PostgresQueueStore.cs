using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Storage;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>The queues port on PostgreSQL.</summary>
internal sealed class PostgresQueueStore(NpgsqlDataSource db, INotifier notifier) : IQueueStore
{
    public async Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct)
    {
        var queues = new SortedDictionary<string, (bool Paused, Dictionary<JobState, long> Counts, DateTimeOffset? Oldest)>(StringComparer.Ordinal);
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // One snapshot for the three reads, so counts and queues agree.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using (var cmd = Command(conn, tx, "SELECT name, paused FROM gantry_queues"))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                queues[r.GetString(0)] = (r.GetBoolean(1), JobStates.All.ToDictionary(s => s, _ => 0L), null);
        }
        await using (var cmd = Command(conn, tx, "SELECT queue, state, count(*) FROM gantry_jobs GROUP BY queue, state"))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var name = r.GetString(0);
                if (!queues.TryGetValue(name, out var q))
                    queues[name] = q = (false, JobStates.All.ToDictionary(s => s, _ => 0L), null);
                q.Counts[(JobState)r.GetInt16(1)] = r.GetInt64(2);
            }
        }
        await using (var cmd = Command(conn, tx, "SELECT queue, min(run_at) FROM gantry_jobs WHERE state = 1 GROUP BY queue"))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var name = r.GetString(0);
                if (queues.TryGetValue(name, out var q)) queues[name] = q with { Oldest = r.GetFieldValue<DateTimeOffset>(1) };
            }
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return queues.Select(kv => new QueueSummary(kv.Key, kv.Value.Paused, kv.Value.Counts, kv.Value.Oldest)).ToList();
    }

    public async Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            INSERT INTO gantry_queues (name, paused, created_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
            """, P(queue), P(paused), P(Utc(now))));
        var changes = new ChangeSet();
        if (!paused) changes.JobsAvailable(queue);
        changes.QueueSettingChanged();
        PostgresNotifications.Add(batch, changes);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        notifier.Announce(changes);
    }

    public async Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            INSERT INTO gantry_queues (name, paused, created_at, lane) VALUES ($1, false, $2, $3)
            ON CONFLICT (name) DO UPDATE SET lane = excluded.lane
            """, P(queue), P(Utc(now)), P(lane)));
        var changes = new ChangeSet();
        changes.QueueSettingChanged();
        PostgresNotifications.Add(batch, changes);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        notifier.Announce(changes);
    }

    public async Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT name, paused, lane FROM gantry_queues WHERE paused OR lane IS NOT NULL ORDER BY name");
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<QueueSetting>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new QueueSetting(r.GetString(0), r.GetBoolean(1), r.IsDBNull(2) ? null : r.GetString(2)));
        return list;
    }
}
