using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>Read operations: single jobs, pages of jobs, and the per-queue summary.</summary>
internal sealed class PostgresJobReads(NpgsqlDataSource db)
{
    private const string JobColumns =
        "id, queue, state, priority, run_at, payload, unique_key, attempt, max_attempts, timeout_ms, " +
        "created_at, started_at, finished_at, lease_expires_at, cancel_requested, result, errors::text";

    public async Task<Job?> JobGet(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {JobColumns} FROM gantry_jobs WHERE id = $1");
        cmd.Parameters.Add(P(id));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false) ? ReadJob(r) : null;
    }

    public async Task<JobPage> JobList(JobQuery query, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand();
        var where = new List<string>();
        if (query.Queue is not null)
        {
            cmd.Parameters.Add(P(query.Queue));
            where.Add($"queue = ${cmd.Parameters.Count}");
        }
        if (query.State is { } state) where.Add($"state = {(short)state}");
        if (query.Before is { } before)
        {
            cmd.Parameters.Add(P(before));
            where.Add($"id < ${cmd.Parameters.Count}");
        }
        cmd.Parameters.Add(P(query.Limit + 1));
        cmd.CommandText = $"SELECT {JobColumns} FROM gantry_jobs" +
                          (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
                          $" ORDER BY id DESC LIMIT ${cmd.Parameters.Count}";
        var jobs = new List<Job>();
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false)) jobs.Add(ReadJob(r));
        }
        long? next = null;
        if (jobs.Count > query.Limit)
        {
            jobs.RemoveAt(jobs.Count - 1);
            next = jobs[^1].Id;
        }
        return new JobPage(jobs, next);
    }

    private static Job ReadJob(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Queue = r.GetString(1),
        State = (JobState)r.GetInt16(2),
        Priority = r.GetInt32(3),
        RunAt = r.GetFieldValue<DateTimeOffset>(4),
        Payload = r.GetFieldValue<byte[]>(5),
        UniqueKey = r.IsDBNull(6) ? null : r.GetString(6),
        Attempt = r.GetInt32(7),
        MaxAttempts = r.GetInt32(8),
        Timeout = TimeSpan.FromMilliseconds(r.GetInt32(9)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(10),
        StartedAt = ReadTime(r, 11),
        FinishedAt = ReadTime(r, 12),
        LeaseExpiresAt = ReadTime(r, 13),
        CancelRequested = r.GetBoolean(14),
        Result = r.IsDBNull(15) ? (ReadOnlyMemory<byte>?)null : r.GetFieldValue<byte[]>(15),
        Errors = r.IsDBNull(16) ? [] : ErrorHistory.Parse(r.GetString(16)),
    };
}
