using Gantry.Core.Storage;
using Gantry.Core.Jobs;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The worker side of the store: lease, heartbeat, complete, fail. Each call is one statement over arrays
/// (or, for failures, one locked read and one write), so a batch of N jobs costs one round trip, not N.
/// Input ids are sorted so that concurrent statements lock rows in the same order.
/// </summary>
/// <remarks>
/// The statements join arrays of ids with the table. They run on connections whose planner may use neither nested
/// loops nor sequential scans (<see cref="PostgresConnectionString.ForBatchStatements"/>): the statistics on state are
/// always stale (they describe one moment of a queue that changes thousands of times a second), and with them the
/// planner was seen to pick a nested loop that re-read the whole input array for every row (quadratic: 30 ms per
/// batch of 500) or a scan of the whole table. Rows are reached through "id = ANY(...)" on the primary key instead.
/// <para>A lease is committed durably, like a completion: with an asynchronous commit a database crash could lose a
/// lease a worker already holds, the job would be leased again under the same attempt, and the two workers' reports
/// could not be told apart (the crash test in Gantry.Server.Tests catches this). Only heartbeats commit
/// asynchronously (<paramref name="extendDb"/>): a lost extension only shortens a lease, so the job may run again under
/// a new attempt, which at-least-once allows.</para>
/// </remarks>
internal sealed class PostgresLeases(NpgsqlDataSource db, NpgsqlDataSource extendDb, INotifier notifier)
{
    private const string LeaseSql = """
        UPDATE gantry_jobs j
        SET state = 2, attempt = j.attempt + 1, started_at = $3,
            lease_expires_at = $3 + j.timeout_ms * interval '1 millisecond'
        WHERE j.id = ANY (ARRAY(
            SELECT id FROM gantry_jobs
            WHERE state = 1 AND queue = $1
              AND NOT EXISTS (SELECT 1 FROM gantry_queues q WHERE q.name = $1 AND q.paused)
            ORDER BY priority DESC, run_at, id
            LIMIT $2
            FOR UPDATE SKIP LOCKED))
        RETURNING j.id, j.attempt, j.max_attempts, j.priority, j.payload, j.unique_key, j.created_at, j.run_at,
                  j.timeout_ms, j.lease_expires_at
        """;

    private const string ExtendSql = """
        UPDATE gantry_jobs j SET lease_expires_at = $3 + j.timeout_ms * interval '1 millisecond'
        FROM unnest($1::bigint[], $2::int[]) AS u(id, attempt)
        WHERE j.id = ANY($1) AND j.id = u.id AND j.state = 2 AND j.attempt = u.attempt
        RETURNING j.id, j.attempt, j.cancel_requested, j.lease_expires_at
        """;

    private const string CompleteSql = $"""
        WITH done AS (
            UPDATE gantry_jobs j SET state = 3, result = u.result, finished_at = $4, lease_expires_at = NULL
            FROM unnest($1::bigint[], $2::int[], $3::bytea[]) AS u(id, attempt, result)
            WHERE j.id = ANY($1) AND j.id = u.id AND j.state = 2 AND j.attempt = u.attempt
            RETURNING j.id, j.attempt, j.notify_finish, j.queue, j.created_at, j.run_at, j.started_at
        )
        SELECT id, attempt, CASE WHEN notify_finish THEN pg_notify('{PostgresNotifications.JobFinished}', id::text) END,
               queue, created_at, run_at, started_at
        FROM done
        """;

    private const string ReadFailingSql = """
        SELECT id, queue, state, attempt, max_attempts, cancel_requested, lease_expires_at, errors::text, notify_finish,
               created_at, run_at, started_at
        FROM gantry_jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE
        """;

    private const string ApplyFailureSql = """
        UPDATE gantry_jobs j
        SET state = u.state, run_at = coalesce(u.run_at, j.run_at), attempt = u.attempt, finished_at = u.finished_at,
            lease_expires_at = NULL, errors = u.errors::jsonb, started_at = CASE WHEN u.clear_started THEN NULL ELSE j.started_at END
        FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::int[], $5::timestamptz[], $6::text[], $7::boolean[])
             AS u(id, state, run_at, attempt, finished_at, errors, clear_started)
        WHERE j.id = ANY($1) AND j.id = u.id
        """;

    public async Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(LeaseSql);
        cmd.Parameters.Add(P(queue));
        cmd.Parameters.Add(P(max));
        cmd.Parameters.Add(P(Utc(now)));
        var jobs = new List<LeasedJob>(Math.Min(max, 64));
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                jobs.Add(new LeasedJob(
                    Id: r.GetInt64(0),
                    Queue: queue,
                    Attempt: r.GetInt32(1),
                    MaxAttempts: r.GetInt32(2),
                    Priority: r.GetInt32(3),
                    Payload: r.GetFieldValue<byte[]>(4),
                    UniqueKey: r.IsDBNull(5) ? null : r.GetString(5),
                    CreatedAt: r.GetFieldValue<DateTimeOffset>(6),
                    RunAt: r.GetFieldValue<DateTimeOffset>(7),
                    StartedAt: now,
                    LeaseExpiresAt: r.GetFieldValue<DateTimeOffset>(9),
                    Timeout: TimeSpan.FromMilliseconds(r.GetInt32(8))));
            }
        }
        jobs.Sort(LeaseOrder.Instance);
        return jobs;
    }

    public async Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct)
    {
        var sorted = leases.OrderBy(l => l.Id).ToArray();
        var found = new Dictionary<LeaseRef, HeartbeatResult>(leases.Count);
        await Retrying(async () =>
        {
            found.Clear();
            await using var cmd = extendDb.CreateCommand(ExtendSql);
            cmd.Parameters.Add(P(sorted.Select(l => l.Id).ToArray()));
            cmd.Parameters.Add(P(sorted.Select(l => l.Attempt).ToArray()));
            cmd.Parameters.Add(P(Utc(now)));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var lease = new LeaseRef(r.GetInt64(0), r.GetInt32(1));
                found[lease] = new HeartbeatResult(lease.Id, r.GetBoolean(2) ? LeaseStatus.CancelRequested : LeaseStatus.Ok, r.GetFieldValue<DateTimeOffset>(3));
            }
            return true;
        }).ConfigureAwait(false);
        return leases.Select(l => found.TryGetValue(l, out var hit) ? hit : new HeartbeatResult(l.Id, LeaseStatus.Lost, null)).ToArray();
    }

    public async Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct)
    {
        var sorted = completions.OrderBy(c => c.Id).ToArray();
        var done = new Dictionary<LeaseRef, (string Queue, AttemptTimes Times)>();
        await Retrying(async () =>
        {
            done.Clear();
            await using var cmd = db.CreateCommand(CompleteSql);
            cmd.Parameters.Add(P(sorted.Select(c => c.Id).ToArray()));
            cmd.Parameters.Add(P(sorted.Select(c => c.Attempt).ToArray()));
            cmd.Parameters.Add(P(sorted.Select(c => c.Result is { } r ? PostgresJobInserts.Bytes(r) : null).ToArray()));
            cmd.Parameters.Add(P(Utc(now)));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                done[new LeaseRef(r.GetInt64(0), r.GetInt32(1))] = (r.GetString(3), AttemptTimesAt(r, 4));
            return true;
        }).ConfigureAwait(false);
        if (done.Count > 0)
        {
            var changes = new ChangeSet();
            changes.JobsFinished(done.Keys.Select(l => l.Id));
            notifier.Announce(changes);
        }
        // A job quoted twice in one call is completed once: the first quote wins, later ones see it finished.
        var reported = new HashSet<LeaseRef>();
        var results = new CompletionResult[completions.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var c = completions[i];
            results[i] = done.TryGetValue(c.Lease, out var hit) && reported.Add(c.Lease)
                ? new CompletionResult(c.Id, LeaseStatus.Ok, hit.Queue, hit.Times)
                : new CompletionResult(c.Id, LeaseStatus.Lost, null, default);
        }
        return results;
    }

    /// <summary>created_at, run_at and started_at in three columns from <paramref name="first"/> on.</summary>
    private static AttemptTimes AttemptTimesAt(NpgsqlDataReader r, int first) => new(
        r.GetFieldValue<DateTimeOffset>(first),
        r.GetFieldValue<DateTimeOffset>(first + 1),
        ReadTime(r, first + 2) ?? default);

    public async Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct)
    {
        var results = await Retrying(() => FailOnceAsync(failures, rules, now, ct)).ConfigureAwait(false);
        var changes = new ChangeSet();
        foreach (var r in results)
        {
            if (r.Status != LeaseStatus.Ok) continue;
            if (r.State == JobState.Available) changes.JobsAvailable(r.Queue!);
            else if (r.State.IsFinished()) changes.JobFinished(r.Id);
            else if (r.RunAt is { } at) changes.JobDue(at);
        }
        notifier.Announce(changes);
        return results;
    }

    private async Task<IReadOnlyList<FailureResult>> FailOnceAsync(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);

        var rows = new Dictionary<long, (FailingJob Job, bool NotifyFinish, AttemptTimes Times)>();
        await using (var read = Command(conn, tx, ReadFailingSql, P(failures.Select(f => f.Id).Distinct().ToArray())))
        await using (var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var job = new FailingJob(r.GetInt64(0), r.GetString(1), (JobState)r.GetInt16(2), r.GetInt32(3), r.GetInt32(4),
                    r.GetBoolean(5), ReadTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7));
                rows[job.Id] = (job, r.GetBoolean(8), AttemptTimesAt(r, 9));
            }
        }

        var results = new FailureResult[failures.Count];
        var decisions = new Dictionary<long, FailureDecision>(); // last decision per job wins
        var availableQueues = new HashSet<string>(StringComparer.Ordinal);
        var notifyFinished = new List<long>();
        for (var i = 0; i < failures.Count; i++)
        {
            var f = failures[i];
            if (!rows.TryGetValue(f.Id, out var row))
            {
                results[i] = new FailureResult(f.Id, LeaseStatus.Lost, default, null, null);
                continue;
            }
            if (rules.Decide(row.Job, f, now) is not { } d)
            {
                results[i] = new FailureResult(f.Id, LeaseStatus.Lost, row.Job.State, null, row.Job.Queue);
                continue;
            }
            decisions[f.Id] = d;
            // Later failures of the same job in this call see the state this one leaves.
            rows[f.Id] = (row.Job with { State = d.State, Attempt = d.Attempt, ErrorsJson = d.ErrorsJson }, row.NotifyFinish, row.Times);
            results[i] = new FailureResult(f.Id, LeaseStatus.Ok, d.State, d.RunAt, row.Job.Queue, row.Times);
            if (d.State == JobState.Available) availableQueues.Add(row.Job.Queue);
            if (d.State.IsFinished() && row.NotifyFinish) notifyFinished.Add(f.Id);
        }

        if (decisions.Count > 0)
        {
            var apply = decisions.Values.OrderBy(d => d.Id).ToArray();
            await using var batch = new NpgsqlBatch(conn, tx);
            batch.BatchCommands.Add(Command(ApplyFailureSql,
                P(apply.Select(d => d.Id).ToArray()),
                P(apply.Select(d => (short)d.State).ToArray()),
                P(apply.Select(d => d.RunAt is { } t ? Utc(t) : (DateTimeOffset?)null).ToArray()),
                P(apply.Select(d => d.Attempt).ToArray()),
                P(apply.Select(d => d.FinishedAt is { } t ? Utc(t) : (DateTimeOffset?)null).ToArray()),
                P(apply.Select(d => d.ErrorsJson).ToArray()),
                P(apply.Select(d => d.ClearStartedAt).ToArray())));
            PostgresNotifications.AddJobsAvailable(batch, availableQueues);
            PostgresNotifications.AddJobsFinished(batch, notifyFinished);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return results;
    }

    public async Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, attempt FROM gantry_jobs WHERE state = 2 AND lease_expires_at <= $1
            ORDER BY lease_expires_at LIMIT $2
            """);
        cmd.Parameters.Add(P(Utc(now)));
        cmd.Parameters.Add(P(limit));
        var leases = new List<LeaseRef>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) leases.Add(new LeaseRef(r.GetInt64(0), r.GetInt32(1)));
        return leases;
    }
}
