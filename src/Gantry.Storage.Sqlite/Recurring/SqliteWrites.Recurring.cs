using Gantry.Core.Recurring;

namespace Gantry.Storage.Sqlite;

/// <summary>The recurring schedules port's writes (<see cref="Gantry.Core.Storage.IRecurringStore"/>), on the writer thread.</summary>
internal sealed partial class SqliteWrites
{
    public bool RecurringSave(RecurringSchedule s)
    {
        var upsert = Prepared("""
            INSERT INTO gantry_recurring (name, cron, time_zone, queue, payload, priority, max_attempts, timeout_ms, misfire,
                                          skip_if_running, source, paused, next_fire_at, created_at, updated_at)
            VALUES ($name, $cron, $time_zone, $queue, $payload, $priority, $max_attempts, $timeout_ms, $misfire,
                    $skip_if_running, $source, $paused, $next_fire_at, $created_at, $updated_at)
            ON CONFLICT (name) DO UPDATE SET
                cron = excluded.cron, time_zone = excluded.time_zone, queue = excluded.queue, payload = excluded.payload,
                priority = excluded.priority, max_attempts = excluded.max_attempts, timeout_ms = excluded.timeout_ms,
                misfire = excluded.misfire, skip_if_running = excluded.skip_if_running, source = excluded.source,
                paused = excluded.paused, next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at
            """);
        var d = s.Definition;
        var p = upsert.Parameters;
        p["$name"].Value = d.Name;
        p["$cron"].Value = d.Cron;
        p["$time_zone"].Value = d.TimeZone;
        p["$queue"].Value = d.Queue;
        p["$payload"].Value = Bytes(d.Payload);
        p["$priority"].Value = (object?)d.Priority ?? DBNull.Value;
        p["$max_attempts"].Value = (object?)d.MaxAttempts ?? DBNull.Value;
        p["$timeout_ms"].Value = d.Timeout is { } t ? (long)t.TotalMilliseconds : DBNull.Value;
        p["$misfire"].Value = (int)d.Misfire;
        p["$skip_if_running"].Value = d.SkipIfRunning ? 1 : 0;
        p["$source"].Value = (int)s.Source;
        p["$paused"].Value = s.Paused ? 1 : 0;
        p["$next_fire_at"].Value = s.NextFireAt is { } n ? SqliteTime.ToDb(n) : DBNull.Value;
        p["$created_at"].Value = SqliteTime.ToDb(s.CreatedAt);
        p["$updated_at"].Value = SqliteTime.ToDb(s.UpdatedAt);
        upsert.ExecuteNonQuery();
        return true;
    }

    public bool RecurringDelete(string name)
    {
        var fires = Prepared("DELETE FROM gantry_recurring_fires WHERE schedule = $name");
        fires.Parameters["$name"].Value = name;
        fires.ExecuteNonQuery();
        var delete = Prepared("DELETE FROM gantry_recurring WHERE name = $name");
        delete.Parameters["$name"].Value = name;
        return delete.ExecuteNonQuery() > 0;
    }

    public RecurringFireResult RecurringFire(RecurringFire fire)
    {
        var read = Prepared("SELECT paused, next_fire_at, last_job_id FROM gantry_recurring WHERE name = $name");
        read.Parameters["$name"].Value = fire.Name;
        bool paused;
        long? nextFireAt, lastJobId;
        using (var r = read.ExecuteReader())
        {
            if (!r.Read()) return new RecurringFireResult(RecurringFireOutcome.NotFound, null);
            paused = r.GetInt64(0) != 0;
            nextFireAt = r.IsDBNull(1) ? null : r.GetInt64(1);
            lastJobId = r.IsDBNull(2) ? null : r.GetInt64(2);
        }

        var outcome = RecurringFireOutcome.Fired;
        if (fire.Tick is { } tick)
        {
            if (paused || nextFireAt != (fire.ExpectedNextFireAt is { } e ? SqliteTime.ToDb(e) : null))
                return new RecurringFireResult(RecurringFireOutcome.Stale, null);
            if (fire.Job is null) outcome = RecurringFireOutcome.SkippedMisfire;
            else if (fire.SkipIfRunning && lastJobId is { } last && IsLive(last)) outcome = RecurringFireOutcome.SkippedRunning;
            var record = Prepared("""
                INSERT INTO gantry_recurring_fires (schedule, fire_at, outcome, fired_at) VALUES ($name, $fire_at, $outcome, $now)
                ON CONFLICT (schedule, fire_at) DO NOTHING
                """);
            record.Parameters["$name"].Value = fire.Name;
            record.Parameters["$fire_at"].Value = SqliteTime.ToDb(tick);
            record.Parameters["$outcome"].Value = (int)outcome;
            record.Parameters["$now"].Value = SqliteTime.ToDb(fire.Now);
            if (record.ExecuteNonQuery() == 0)
            {
                // The tick was acted on already (the schedule was set back to it): move on past it, so it is not due again.
                var skip = Prepared("UPDATE gantry_recurring SET next_fire_at = $next_fire_at WHERE name = $name");
                skip.Parameters["$next_fire_at"].Value = fire.NextFireAt is { } moved ? SqliteTime.ToDb(moved) : DBNull.Value;
                skip.Parameters["$name"].Value = fire.Name;
                skip.ExecuteNonQuery();
                return new RecurringFireResult(RecurringFireOutcome.Stale, null);
            }
        }
        else if (fire.Job is null)
        {
            throw new ArgumentException("A trigger (no tick) needs a job.", nameof(fire));
        }

        long? jobId = null;
        if (outcome == RecurringFireOutcome.Fired)
        {
            jobId = JobInsertMany([fire.Job!.Value])[0].Id;
            if (fire.Tick is { } firedTick)
            {
                var link = Prepared("UPDATE gantry_recurring_fires SET job_id = $job WHERE schedule = $name AND fire_at = $fire_at");
                link.Parameters["$job"].Value = jobId;
                link.Parameters["$name"].Value = fire.Name;
                link.Parameters["$fire_at"].Value = SqliteTime.ToDb(firedTick);
                link.ExecuteNonQuery();
            }
        }

        var advance = Prepared("""
            UPDATE gantry_recurring
            SET next_fire_at = CASE WHEN $ticked THEN $next_fire_at ELSE next_fire_at END,
                last_fire_at = CASE WHEN $ticked THEN $tick ELSE last_fire_at END,
                last_job_id = coalesce($job, last_job_id)
            WHERE name = $name
            """);
        advance.Parameters["$ticked"].Value = fire.Tick is null ? 0 : 1;
        advance.Parameters["$next_fire_at"].Value = fire.NextFireAt is { } n ? SqliteTime.ToDb(n) : DBNull.Value;
        advance.Parameters["$tick"].Value = fire.Tick is { } t ? SqliteTime.ToDb(t) : DBNull.Value;
        advance.Parameters["$job"].Value = (object?)jobId ?? DBNull.Value;
        advance.Parameters["$name"].Value = fire.Name;
        advance.ExecuteNonQuery();
        return new RecurringFireResult(outcome, jobId);
    }

    /// <summary>Whether the job exists and has not finished (scheduled, available, running, or failed awaiting a retry).</summary>
    private bool IsLive(long jobId)
    {
        var read = Prepared("SELECT 1 FROM gantry_jobs WHERE id = $id AND state IN (0, 1, 2, 4)");
        read.Parameters["$id"].Value = jobId;
        return read.ExecuteScalar() is not null;
    }

    public int RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit)
    {
        var delete = Prepared("""
            DELETE FROM gantry_recurring_fires
            WHERE (schedule, fire_at) IN (SELECT schedule, fire_at FROM gantry_recurring_fires WHERE fire_at < $cutoff LIMIT $limit)
            """);
        delete.Parameters["$cutoff"].Value = SqliteTime.ToDb(cutoff);
        delete.Parameters["$limit"].Value = limit;
        return delete.ExecuteNonQuery();
    }
}
