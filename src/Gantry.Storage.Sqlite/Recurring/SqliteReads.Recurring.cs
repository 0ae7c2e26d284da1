using Gantry.Core.Recurring;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The recurring schedules port's reads.</summary>
internal sealed partial class SqliteReads
{
    private const string RecurringColumns =
        "name, cron, time_zone, queue, payload, priority, max_attempts, timeout_ms, misfire, skip_if_running, source, paused, " +
        "next_fire_at, last_fire_at, last_job_id, created_at, updated_at";

    public RecurringSchedule? RecurringGet(string name) =>
        ReadRecurring($"SELECT {RecurringColumns} FROM gantry_recurring WHERE name = $name", ("$name", name)).FirstOrDefault();

    public IReadOnlyList<RecurringSchedule> RecurringList() =>
        ReadRecurring($"SELECT {RecurringColumns} FROM gantry_recurring ORDER BY name");

    public IReadOnlyList<RecurringSchedule> RecurringGetDue(DateTimeOffset now, int limit) =>
        ReadRecurring($"""
            SELECT {RecurringColumns} FROM gantry_recurring
            WHERE paused = 0 AND next_fire_at IS NOT NULL AND next_fire_at <= $now
            ORDER BY next_fire_at LIMIT $limit
            """, ("$now", SqliteTime.ToDb(now)), ("$limit", limit));

    public DateTimeOffset? RecurringGetNextFireAt()
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT min(next_fire_at) FROM gantry_recurring WHERE paused = 0 AND next_fire_at IS NOT NULL";
        return SqliteTime.FromDb(cmd.ExecuteScalar());
    }

    public IReadOnlyList<RecurringFireRecord> RecurringListFires(string name, int limit)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT fire_at, outcome, job_id, fired_at FROM gantry_recurring_fires WHERE schedule = $name ORDER BY fire_at DESC LIMIT $limit";
        cmd.Parameters.AddWithValue("$name", name);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var fires = new List<RecurringFireRecord>();
        while (r.Read())
            fires.Add(new RecurringFireRecord(SqliteTime.FromDb(r.GetInt64(0)), (RecurringFireOutcome)r.GetInt32(1),
                r.IsDBNull(2) ? null : r.GetInt64(2), SqliteTime.FromDb(r.GetInt64(3))));
        return fires;
    }

    private List<RecurringSchedule> ReadRecurring(string sql, params (string Name, object Value)[] parameters)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var r = cmd.ExecuteReader();
        var list = new List<RecurringSchedule>();
        while (r.Read()) list.Add(ReadSchedule(r));
        return list;
    }

    private static RecurringSchedule ReadSchedule(SqliteDataReader r)
    {
        var definition = new RecurringDefinition(
            Name: r.GetString(0),
            Cron: r.GetString(1),
            TimeZone: r.GetString(2),
            Queue: r.GetString(3),
            Payload: (byte[])r.GetValue(4),
            Priority: r.IsDBNull(5) ? null : r.GetInt32(5),
            MaxAttempts: r.IsDBNull(6) ? null : r.GetInt32(6),
            Timeout: r.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(r.GetInt64(7)),
            Misfire: (MisfirePolicy)r.GetInt32(8),
            SkipIfRunning: r.GetInt64(9) != 0);
        return new RecurringSchedule(definition,
            Source: (RecurringSource)r.GetInt32(10),
            Paused: r.GetInt64(11) != 0,
            NextFireAt: SqliteTime.FromDb(r.GetValue(12)),
            LastFireAt: SqliteTime.FromDb(r.GetValue(13)),
            LastJobId: r.IsDBNull(14) ? null : r.GetInt64(14),
            CreatedAt: SqliteTime.FromDb(r.GetInt64(15)),
            UpdatedAt: SqliteTime.FromDb(r.GetInt64(16)));
    }
}
