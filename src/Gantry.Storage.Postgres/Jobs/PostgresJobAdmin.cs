using Gantry.Core.Storage;
using Gantry.Core.Jobs;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>The server's own writes on jobs: scheduling, cancelling, pruning, and asking for finish notifications.</summary>
internal sealed class PostgresJobAdmin(NpgsqlDataSource db, INotifier notifier)
{
    private const string PromoteSql = $"""
        WITH promoted AS (
            UPDATE gantry_jobs j SET state = 1
            WHERE j.id = ANY (ARRAY(
                SELECT id FROM gantry_jobs WHERE state IN (0, 4) AND run_at <= $1
                ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED))
            RETURNING j.queue
        ),
        per_queue AS (SELECT queue, count(*) AS n FROM promoted GROUP BY queue)
        SELECT queue, n, pg_notify('{PostgresNotifications.JobsAvailable}', queue) FROM per_queue
        """;

    private const string CancelSql = $"""
        WITH target AS (SELECT id, state, notify_finish FROM gantry_jobs WHERE id = $1 FOR UPDATE),
        changed AS (
            UPDATE gantry_jobs j
            SET state = CASE WHEN t.state = 2 THEN 2 ELSE 6 END,
                cancel_requested = j.cancel_requested OR t.state = 2,
                finished_at = CASE WHEN t.state = 2 THEN j.finished_at ELSE $2 END
            FROM target t WHERE j.id = $1 AND j.id = t.id AND t.state IN (0, 1, 2, 4)
            RETURNING j.state
        )
        SELECT t.state, c.state,
               CASE WHEN c.state = 6 AND t.notify_finish THEN pg_notify('{PostgresNotifications.JobFinished}', t.id::text) END
        FROM target t LEFT JOIN changed c ON true
        """;

    public async Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(PromoteSql);
        cmd.Parameters.Add(P(Utc(now)));
        cmd.Parameters.Add(P(limit));
        var queues = new List<string>();
        var count = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                queues.Add(r.GetString(0));
                count += (int)r.GetInt64(1);
            }
        }
        var changes = new ChangeSet();
        foreach (var q in queues) changes.JobsAvailable(q);
        notifier.Announce(changes);
        return count;
    }

    public async Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT min(run_at) FROM gantry_jobs WHERE state IN (0, 4)");
        var value = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DateTime t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
    }

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => Retrying(async () =>
    {
        await using var cmd = db.CreateCommand(CancelSql);
        cmd.Parameters.Add(P(id));
        cmd.Parameters.Add(P(Utc(now)));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return CancelOutcome.NotFound;
        if (r.IsDBNull(1)) return CancelOutcome.AlreadyFinished;
        if ((JobState)r.GetInt16(1) == JobState.Running) return CancelOutcome.CancelRequested;
        var changes = new ChangeSet();
        changes.JobFinished(id);
        notifier.Announce(changes);
        return CancelOutcome.Cancelled;
    });

    public async Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct)
    {
        if (!state.IsFinished()) throw new ArgumentOutOfRangeException(nameof(state), state, "only finished jobs are pruned");
        // The state is a literal (from the enum, not from input) so the partial index on finished jobs applies.
        await using var cmd = db.CreateCommand($"""
            DELETE FROM gantry_jobs WHERE id IN (
                SELECT id FROM gantry_jobs WHERE state = {(short)state} AND finished_at < $1 LIMIT $2)
            """);
        cmd.Parameters.Add(P(Utc(finishedBefore)));
        cmd.Parameters.Add(P(limit));
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sets the job's notify_finish flag (if it is live) so whichever server finishes it announces that.</summary>
    public async Task WatchFinish(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE gantry_jobs SET notify_finish = true WHERE id = $1 AND state IN (0, 1, 2, 4) AND NOT notify_finish");
        cmd.Parameters.Add(P(id));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
