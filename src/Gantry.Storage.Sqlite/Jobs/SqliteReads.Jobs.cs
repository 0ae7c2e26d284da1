using Gantry.Core.Jobs;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The jobs port's reads.</summary>
internal sealed partial class SqliteReads
{
    internal const string JobColumns =
        "id, queue, state, priority, run_at, payload, unique_key, attempt, max_attempts, timeout_ms, " +
        "created_at, started_at, finished_at, lease_expires_at, cancel_requested, result, errors";

    public Job? JobGet(long id)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {JobColumns} FROM gantry_jobs WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadJob(r) : null;
    }

    public JobPage JobList(JobQuery query)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        var where = new List<string>();
        if (query.Queue is not null)
        {
            where.Add("queue = $queue");
            cmd.Parameters.AddWithValue("$queue", query.Queue);
        }
        if (query.State is { } state) where.Add($"state = {(int)state}");
        if (query.Before is { } before)
        {
            where.Add("id < $before");
            cmd.Parameters.AddWithValue("$before", before);
        }
        cmd.CommandText = $"SELECT {JobColumns} FROM gantry_jobs" +
                          (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
                          " ORDER BY id DESC LIMIT $limit";
        cmd.Parameters.AddWithValue("$limit", query.Limit + 1);
        var jobs = new List<Job>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) jobs.Add(ReadJob(r));
        long? next = null;
        if (jobs.Count > query.Limit)
        {
            jobs.RemoveAt(jobs.Count - 1);
            next = jobs[^1].Id;
        }
        return new JobPage(jobs, next);
    }

    public IReadOnlyList<LeaseRef> JobGetExpiredLeases(DateTimeOffset now, int limit)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT id, attempt FROM gantry_jobs WHERE state = 2 AND lease_expires_at <= $now
            ORDER BY lease_expires_at LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$now", SqliteTime.ToDb(now));
        cmd.Parameters.AddWithValue("$limit", limit);
        var leases = new List<LeaseRef>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) leases.Add(new LeaseRef(r.GetInt64(0), r.GetInt32(1)));
        return leases;
    }

    public DateTimeOffset? JobGetNextDueAt()
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT min(run_at) FROM gantry_jobs WHERE state IN (0, 4)";
        return SqliteTime.FromDb(cmd.ExecuteScalar());
    }

    internal static Job ReadJob(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Queue = r.GetString(1),
        State = (JobState)r.GetInt32(2),
        Priority = r.GetInt32(3),
        RunAt = SqliteTime.FromDb(r.GetInt64(4)),
        Payload = (byte[])r.GetValue(5),
        UniqueKey = r.IsDBNull(6) ? null : r.GetString(6),
        Attempt = r.GetInt32(7),
        MaxAttempts = r.GetInt32(8),
        Timeout = TimeSpan.FromMilliseconds(r.GetInt64(9)),
        CreatedAt = SqliteTime.FromDb(r.GetInt64(10)),
        StartedAt = r.IsDBNull(11) ? null : SqliteTime.FromDb(r.GetInt64(11)),
        FinishedAt = r.IsDBNull(12) ? null : SqliteTime.FromDb(r.GetInt64(12)),
        LeaseExpiresAt = r.IsDBNull(13) ? null : SqliteTime.FromDb(r.GetInt64(13)),
        CancelRequested = r.GetInt64(14) != 0,
        Result = r.IsDBNull(15) ? (ReadOnlyMemory<byte>?)null : (byte[])r.GetValue(15),
        Errors = r.IsDBNull(16) ? [] : ErrorHistory.Parse(r.GetString(16)),
    };
}
