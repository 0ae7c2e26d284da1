using Gantry.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The jobs port's writes (<see cref="Gantry.Core.Storage.IJobStore"/>), on the writer thread.</summary>
internal sealed partial class SqliteWrites
{
    public IReadOnlyList<EnqueueResult> JobInsertMany(IReadOnlyList<NewJob> jobs)
    {
        var results = new EnqueueResult[jobs.Count];
        var insert = Prepared("""
            INSERT INTO gantry_jobs (queue, state, priority, run_at, payload, unique_key, max_attempts, timeout_ms, created_at)
            VALUES ($queue, $state, $priority, $run_at, $payload, $unique_key, $max_attempts, $timeout_ms, $created_at)
            RETURNING id
            """);
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            EnsureQueue(job.Queue, job.CreatedAt);
            if (job.UniqueKey is not null && FindLiveByUniqueKey(job.Queue, job.UniqueKey) is { } existing)
            {
                results[i] = new EnqueueResult(existing.Id, existing.State, Existing: true);
                continue;
            }
            var state = job.InitialState;
            var p = insert.Parameters;
            p["$queue"].Value = job.Queue;
            p["$state"].Value = (int)state;
            p["$priority"].Value = job.Priority;
            p["$run_at"].Value = SqliteTime.ToDb(job.RunAt);
            p["$payload"].Value = Bytes(job.Payload);
            p["$unique_key"].Value = (object?)job.UniqueKey ?? DBNull.Value;
            p["$max_attempts"].Value = job.MaxAttempts;
            p["$timeout_ms"].Value = (long)job.Timeout.TotalMilliseconds;
            p["$created_at"].Value = SqliteTime.ToDb(job.CreatedAt);
            var id = (long)insert.ExecuteScalar()!;
            results[i] = new EnqueueResult(id, state, Existing: false);
            NoteState(job.Queue, state, job.RunAt, id);
        }
        return results;
    }

    private (long Id, JobState State)? FindLiveByUniqueKey(string queue, string uniqueKey)
    {
        var find = Prepared("""
            SELECT id, state FROM gantry_jobs
            WHERE queue = $queue AND unique_key = $unique_key AND unique_key IS NOT NULL AND state IN (0, 1, 2, 4)
            """);
        find.Parameters["$queue"].Value = queue;
        find.Parameters["$unique_key"].Value = uniqueKey;
        using var r = find.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), (JobState)r.GetInt32(1)) : null;
    }

    public IReadOnlyList<LeasedJob> JobGetAvailable(string queue, int max, DateTimeOffset now)
    {
        if (_pausedQueues.Contains(queue)) return [];
        var fetch = Prepared("""
            UPDATE gantry_jobs
            SET state = 2, attempt = attempt + 1, started_at = $now, lease_expires_at = $now + timeout_ms * 1000
            WHERE id IN (SELECT id FROM gantry_jobs WHERE state = 1 AND queue = $queue
                         ORDER BY priority DESC, run_at, id LIMIT $limit)
            RETURNING id, attempt, max_attempts, priority, payload, unique_key, created_at, run_at, timeout_ms, lease_expires_at
            """);
        fetch.Parameters["$now"].Value = SqliteTime.ToDb(now);
        fetch.Parameters["$queue"].Value = queue;
        fetch.Parameters["$limit"].Value = max;
        var jobs = new List<LeasedJob>(Math.Min(max, 64));
        using (var r = fetch.ExecuteReader())
        {
            while (r.Read())
            {
                jobs.Add(new LeasedJob(
                    Id: r.GetInt64(0),
                    Queue: queue,
                    Attempt: r.GetInt32(1),
                    MaxAttempts: r.GetInt32(2),
                    Priority: r.GetInt32(3),
                    Payload: (byte[])r.GetValue(4),
                    UniqueKey: r.IsDBNull(5) ? null : r.GetString(5),
                    CreatedAt: SqliteTime.FromDb(r.GetInt64(6)),
                    RunAt: SqliteTime.FromDb(r.GetInt64(7)),
                    StartedAt: now,
                    LeaseExpiresAt: SqliteTime.FromDb(r.GetInt64(9)),
                    Timeout: TimeSpan.FromMilliseconds(r.GetInt64(8))));
            }
        }
        // RETURNING gives rows in no promised order; callers get them in queue order.
        jobs.Sort(LeaseOrder.Instance);
        return jobs;
    }

    public IReadOnlyList<HeartbeatResult> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now)
    {
        var extend = Prepared("""
            UPDATE gantry_jobs SET lease_expires_at = $now + timeout_ms * 1000
            WHERE id = $id AND state = 2 AND attempt = $attempt
            RETURNING cancel_requested, lease_expires_at
            """);
        extend.Parameters["$now"].Value = SqliteTime.ToDb(now);
        var results = new HeartbeatResult[leases.Count];
        for (var i = 0; i < leases.Count; i++)
        {
            extend.Parameters["$id"].Value = leases[i].Id;
            extend.Parameters["$attempt"].Value = leases[i].Attempt;
            using var r = extend.ExecuteReader();
            results[i] = r.Read()
                ? new HeartbeatResult(leases[i].Id, r.GetInt64(0) != 0 ? LeaseStatus.CancelRequested : LeaseStatus.Ok, SqliteTime.FromDb(r.GetInt64(1)))
                : new HeartbeatResult(leases[i].Id, LeaseStatus.Lost, null);
        }
        return results;
    }

    public IReadOnlyList<CompletionResult> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now)
    {
        var complete = Prepared("""
            UPDATE gantry_jobs SET state = 3, result = $result, finished_at = $now, lease_expires_at = NULL
            WHERE id = $id AND state = 2 AND attempt = $attempt
            RETURNING queue, created_at, run_at, started_at
            """);
        complete.Parameters["$now"].Value = SqliteTime.ToDb(now);
        var results = new CompletionResult[completions.Count];
        for (var i = 0; i < completions.Count; i++)
        {
            var c = completions[i];
            complete.Parameters["$id"].Value = c.Id;
            complete.Parameters["$attempt"].Value = c.Attempt;
            complete.Parameters["$result"].Value = c.Result is { } result ? Bytes(result) : DBNull.Value;
            using var r = complete.ExecuteReader();
            if (!r.Read())
            {
                results[i] = new CompletionResult(c.Id, LeaseStatus.Lost, null, default);
                continue;
            }
            results[i] = new CompletionResult(c.Id, LeaseStatus.Ok, r.GetString(0), AttemptTimesAt(r, 1));
            _command.JobFinished(c.Id);
        }
        return results;
    }

    /// <summary>created_at, run_at and started_at in three columns from <paramref name="first"/> on.</summary>
    private static AttemptTimes AttemptTimesAt(SqliteDataReader r, int first) => new(
        SqliteTime.FromDb(r.GetInt64(first)),
        SqliteTime.FromDb(r.GetInt64(first + 1)),
        r.IsDBNull(first + 2) ? default : SqliteTime.FromDb(r.GetInt64(first + 2)));

    public IReadOnlyList<FailureResult> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now)
    {
        var read = Prepared("""
            SELECT queue, state, attempt, max_attempts, cancel_requested, lease_expires_at, errors, created_at, run_at, started_at
            FROM gantry_jobs WHERE id = $id
            """);
        var apply = Prepared("""
            UPDATE gantry_jobs
            SET state = $state, run_at = coalesce($run_at, run_at), attempt = $attempt, finished_at = $finished_at,
                lease_expires_at = NULL, errors = $errors, started_at = CASE WHEN $clear_started THEN NULL ELSE started_at END
            WHERE id = $id
            """);
        var results = new FailureResult[failures.Count];
        for (var i = 0; i < failures.Count; i++)
        {
            var f = failures[i];
            read.Parameters["$id"].Value = f.Id;
            FailingJob job;
            AttemptTimes times;
            using (var r = read.ExecuteReader())
            {
                if (!r.Read())
                {
                    results[i] = new FailureResult(f.Id, LeaseStatus.Lost, default, null, null);
                    continue;
                }
                job = new FailingJob(f.Id, r.GetString(0), (JobState)r.GetInt32(1), r.GetInt32(2), r.GetInt32(3),
                    r.GetInt64(4) != 0, r.IsDBNull(5) ? null : SqliteTime.FromDb(r.GetInt64(5)), r.IsDBNull(6) ? null : r.GetString(6));
                times = AttemptTimesAt(r, 7);
            }
            if (rules.Decide(job, f, now) is not { } d)
            {
                results[i] = new FailureResult(f.Id, LeaseStatus.Lost, job.State, null, job.Queue);
                continue;
            }
            apply.Parameters["$id"].Value = f.Id;
            apply.Parameters["$state"].Value = (int)d.State;
            apply.Parameters["$run_at"].Value = d.RunAt is { } runAt ? SqliteTime.ToDb(runAt) : DBNull.Value;
            apply.Parameters["$attempt"].Value = d.Attempt;
            apply.Parameters["$finished_at"].Value = d.FinishedAt is { } fin ? SqliteTime.ToDb(fin) : DBNull.Value;
            apply.Parameters["$errors"].Value = d.ErrorsJson;
            apply.Parameters["$clear_started"].Value = d.ClearStartedAt ? 1 : 0;
            apply.ExecuteNonQuery();
            results[i] = new FailureResult(f.Id, LeaseStatus.Ok, d.State, d.RunAt, job.Queue, times);
            NoteState(job.Queue, d.State, d.RunAt ?? now, f.Id);
        }
        return results;
    }

    public CancelOutcome JobCancel(long id, DateTimeOffset now)
    {
        var read = Prepared("SELECT queue, state FROM gantry_jobs WHERE id = $id");
        read.Parameters["$id"].Value = id;
        string queue;
        JobState state;
        using (var r = read.ExecuteReader())
        {
            if (!r.Read()) return CancelOutcome.NotFound;
            (queue, state) = (r.GetString(0), (JobState)r.GetInt32(1));
        }
        if (state.IsFinished()) return CancelOutcome.AlreadyFinished;
        if (state == JobState.Running)
        {
            var flag = Prepared("UPDATE gantry_jobs SET cancel_requested = 1 WHERE id = $id");
            flag.Parameters["$id"].Value = id;
            flag.ExecuteNonQuery();
            return CancelOutcome.CancelRequested;
        }
        var cancel = Prepared("UPDATE gantry_jobs SET state = 6, finished_at = $now WHERE id = $id");
        cancel.Parameters["$id"].Value = id;
        cancel.Parameters["$now"].Value = SqliteTime.ToDb(now);
        cancel.ExecuteNonQuery();
        NoteState(queue, JobState.Cancelled, now, id);
        return CancelOutcome.Cancelled;
    }

    public int JobPromoteDue(DateTimeOffset now, int limit)
    {
        var promote = Prepared("""
            UPDATE gantry_jobs SET state = 1
            WHERE id IN (SELECT id FROM gantry_jobs WHERE state IN (0, 4) AND run_at <= $now ORDER BY run_at LIMIT $limit)
            RETURNING queue
            """);
        promote.Parameters["$now"].Value = SqliteTime.ToDb(now);
        promote.Parameters["$limit"].Value = limit;
        var count = 0;
        using var r = promote.ExecuteReader();
        while (r.Read())
        {
            count++;
            _command.JobsAvailable(r.GetString(0));
        }
        return count;
    }

    public int JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit)
    {
        if (!state.IsFinished()) throw new ArgumentOutOfRangeException(nameof(state), state, "only finished jobs are pruned");
        // The state is a literal (from the enum, not from input) so the partial index on finished jobs applies.
        var delete = Prepared($"""
            DELETE FROM gantry_jobs WHERE id IN (
                SELECT id FROM gantry_jobs WHERE state IN (3, 5, 6) AND state = {(int)state} AND finished_at < $cutoff LIMIT $limit)
            """);
        delete.Parameters["$cutoff"].Value = SqliteTime.ToDb(finishedBefore);
        delete.Parameters["$limit"].Value = limit;
        return delete.ExecuteNonQuery();
    }
}
