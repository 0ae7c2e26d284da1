using Gantry.Core.Storage;
using Gantry.Core.Jobs;
using Gantry.Core.Recurring;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// Recurring schedules. A tick's fire is one transaction: lock the schedule row, check it still expects the tick, record
/// the tick in gantry_recurring_fires (whose primary key refuses a second fire of the same tick from any server), insert
/// the job, move the next fire time.
/// </summary>
internal sealed class PostgresRecurringStore(NpgsqlDataSource db, INotifier notifier) : IRecurringStore
{
    private const string Columns =
        "name, cron, time_zone, queue, payload, priority, max_attempts, timeout_ms, misfire, skip_if_running, source, paused, " +
        "next_fire_at, last_fire_at, last_job_id, created_at, updated_at";

    public async Task RecurringSave(RecurringSchedule s, CancellationToken ct)
    {
        var d = s.Definition;
        await using var cmd = db.CreateCommand("""
            INSERT INTO gantry_recurring (name, cron, time_zone, queue, payload, priority, max_attempts, timeout_ms, misfire,
                                          skip_if_running, source, paused, next_fire_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (name) DO UPDATE SET
                cron = excluded.cron, time_zone = excluded.time_zone, queue = excluded.queue, payload = excluded.payload,
                priority = excluded.priority, max_attempts = excluded.max_attempts, timeout_ms = excluded.timeout_ms,
                misfire = excluded.misfire, skip_if_running = excluded.skip_if_running, source = excluded.source,
                paused = excluded.paused, next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at
            """);
        cmd.Parameters.Add(P(d.Name));
        cmd.Parameters.Add(P(d.Cron));
        cmd.Parameters.Add(P(d.TimeZone));
        cmd.Parameters.Add(P(d.Queue));
        cmd.Parameters.Add(P(PostgresJobInserts.Bytes(d.Payload)));
        cmd.Parameters.Add(P(d.Priority));
        cmd.Parameters.Add(P(d.MaxAttempts));
        cmd.Parameters.Add(P(d.Timeout is { } t ? (int?)t.TotalMilliseconds : null));
        cmd.Parameters.Add(P((short)d.Misfire));
        cmd.Parameters.Add(P(d.SkipIfRunning));
        cmd.Parameters.Add(P((short)s.Source));
        cmd.Parameters.Add(P(s.Paused));
        cmd.Parameters.Add(P(s.NextFireAt is { } n ? Utc(n) : (DateTimeOffset?)null));
        cmd.Parameters.Add(P(Utc(s.CreatedAt)));
        cmd.Parameters.Add(P(Utc(s.UpdatedAt)));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) =>
        (await ReadAsync($"SELECT {Columns} FROM gantry_recurring WHERE name = $1", ct, P(name)).ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) =>
        await ReadAsync($"SELECT {Columns} FROM gantry_recurring ORDER BY name COLLATE \"C\"", ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        await ReadAsync($"""
            SELECT {Columns} FROM gantry_recurring
            WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1
            ORDER BY next_fire_at LIMIT $2
            """, ct, P(Utc(now)), P(limit)).ConfigureAwait(false);

    public async Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT min(next_fire_at) FROM gantry_recurring WHERE NOT paused AND next_fire_at IS NOT NULL");
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is DateTime t ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;
    }

    public async Task<bool> RecurringDelete(string name, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var fires = Command(conn, tx, "DELETE FROM gantry_recurring_fires WHERE schedule = $1", P(name)))
            await fires.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        int deleted;
        await using (var delete = Command(conn, tx, "DELETE FROM gantry_recurring WHERE name = $1", P(name)))
            deleted = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return deleted > 0;
    }

    public async Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT fire_at, outcome, job_id, fired_at FROM gantry_recurring_fires WHERE schedule = $1 ORDER BY fire_at DESC LIMIT $2");
        cmd.Parameters.Add(P(name));
        cmd.Parameters.Add(P(limit));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var fires = new List<RecurringFireRecord>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            fires.Add(new RecurringFireRecord(r.GetFieldValue<DateTimeOffset>(0), (RecurringFireOutcome)r.GetInt16(1),
                r.IsDBNull(2) ? null : r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3)));
        return fires;
    }

    public async Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            DELETE FROM gantry_recurring_fires
            WHERE (schedule, fire_at) IN (SELECT schedule, fire_at FROM gantry_recurring_fires WHERE fire_at < $1 LIMIT $2)
            """);
        cmd.Parameters.Add(P(Utc(cutoff)));
        cmd.Parameters.Add(P(limit));
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => Retrying(() => FireOnceAsync(fire, ct));

    private async Task<RecurringFireResult> FireOnceAsync(RecurringFire fire, CancellationToken ct)
    {
        if (fire.Tick is null && fire.Job is null) throw new ArgumentException("A trigger (no tick) needs a job.", nameof(fire));
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);

        bool paused;
        DateTimeOffset? nextFireAt;
        long? lastJobId;
        bool lastJobLive;
        // The row lock makes a second server firing the same schedule wait here, then see the moved next_fire_at.
        await using (var read = Command(conn, tx, """
                         SELECT r.paused, r.next_fire_at, r.last_job_id,
                                EXISTS (SELECT 1 FROM gantry_jobs j WHERE j.id = r.last_job_id AND j.state IN (0, 1, 2, 4))
                         FROM gantry_recurring r WHERE r.name = $1 FOR UPDATE OF r
                         """, P(fire.Name)))
        await using (var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (!await r.ReadAsync(ct).ConfigureAwait(false)) return new RecurringFireResult(RecurringFireOutcome.NotFound, null);
            paused = r.GetBoolean(0);
            nextFireAt = ReadTime(r, 1);
            lastJobId = r.IsDBNull(2) ? null : r.GetInt64(2);
            lastJobLive = r.GetBoolean(3);
        }

        var outcome = RecurringFireOutcome.Fired;
        if (fire.Tick is { } tick)
        {
            if (paused || nextFireAt != fire.ExpectedNextFireAt) return new RecurringFireResult(RecurringFireOutcome.Stale, null);
            if (fire.Job is null) outcome = RecurringFireOutcome.SkippedMisfire;
            else if (fire.SkipIfRunning && lastJobId is not null && lastJobLive) outcome = RecurringFireOutcome.SkippedRunning;
            await using var record = Command(conn, tx, """
                INSERT INTO gantry_recurring_fires (schedule, fire_at, outcome, fired_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (schedule, fire_at) DO NOTHING
                """, P(fire.Name), P(Utc(tick)), P((short)outcome), P(Utc(fire.Now)));
            if (await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                // The tick was acted on already (the schedule was set back to it): move on past it, so it is not due again.
                await using var skip = Command(conn, tx, "UPDATE gantry_recurring SET next_fire_at = $1 WHERE name = $2",
                    P(fire.NextFireAt is { } moved ? Utc(moved) : (DateTimeOffset?)null), P(fire.Name));
                await skip.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new RecurringFireResult(RecurringFireOutcome.Stale, null);
            }
        }

        long? jobId = null;
        NewJob job = default;
        if (outcome == RecurringFireOutcome.Fired)
        {
            job = fire.Job!.Value;
            var results = new EnqueueResult[1];
            await PostgresJobInserts.InsertRowsAsync(conn, tx, [job], [0], results, [job.Queue],
                job.InitialState == JobState.Available ? [job.Queue] : [], ct).ConfigureAwait(false);
            jobId = results[0].Id;
            if (fire.Tick is { } firedTick)
            {
                await using var link = Command(conn, tx, "UPDATE gantry_recurring_fires SET job_id = $1 WHERE schedule = $2 AND fire_at = $3",
                    P(jobId.Value), P(fire.Name), P(Utc(firedTick)));
                await link.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        await using (var advance = Command(conn, tx, """
                         UPDATE gantry_recurring
                         SET next_fire_at = CASE WHEN $1 THEN $2 ELSE next_fire_at END,
                             last_fire_at = CASE WHEN $1 THEN $3 ELSE last_fire_at END,
                             last_job_id = coalesce($4, last_job_id)
                         WHERE name = $5
                         """, P(fire.Tick is not null), P(fire.NextFireAt is { } n ? Utc(n) : (DateTimeOffset?)null),
                         P(fire.Tick is { } t ? Utc(t) : (DateTimeOffset?)null), P(jobId), P(fire.Name)))
            await advance.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);

        if (jobId is not null)
        {
            var changes = new ChangeSet();
            if (job.InitialState == JobState.Available) changes.JobsAvailable(job.Queue);
            else changes.JobDue(job.RunAt);
            notifier.Announce(changes);
        }
        return new RecurringFireResult(outcome, jobId);
    }

    private async Task<List<RecurringSchedule>> ReadAsync(string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddRange(parameters);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<RecurringSchedule>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var definition = new RecurringDefinition(
                Name: r.GetString(0),
                Cron: r.GetString(1),
                TimeZone: r.GetString(2),
                Queue: r.GetString(3),
                Payload: r.GetFieldValue<byte[]>(4),
                Priority: r.IsDBNull(5) ? null : r.GetInt32(5),
                MaxAttempts: r.IsDBNull(6) ? null : r.GetInt32(6),
                Timeout: r.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(r.GetInt32(7)),
                Misfire: (MisfirePolicy)r.GetInt16(8),
                SkipIfRunning: r.GetBoolean(9));
            list.Add(new RecurringSchedule(definition,
                Source: (RecurringSource)r.GetInt16(10),
                Paused: r.GetBoolean(11),
                NextFireAt: ReadTime(r, 12),
                LastFireAt: ReadTime(r, 13),
                LastJobId: r.IsDBNull(14) ? null : r.GetInt64(14),
                CreatedAt: r.GetFieldValue<DateTimeOffset>(15),
                UpdatedAt: r.GetFieldValue<DateTimeOffset>(16)));
        }
        return list;
    }
}
