namespace Gantry.Storage.Sqlite;

/// <summary>The queues port's writes (<see cref="Gantry.Core.Storage.IQueueStore"/>), on the writer thread.</summary>
internal sealed partial class SqliteWrites
{
    private void EnsureQueue(string queue, DateTimeOffset now)
    {
        if (_knownQueues.Contains(queue)) return;
        var insert = Prepared("INSERT OR IGNORE INTO gantry_queues (name, paused, created_at) VALUES ($name, 0, $now)");
        insert.Parameters["$name"].Value = queue;
        insert.Parameters["$now"].Value = SqliteTime.ToDb(now);
        insert.ExecuteNonQuery();
        _knownQueues.Add(queue);
    }

    public bool QueueSetPaused(string queue, bool paused, DateTimeOffset now)
    {
        var upsert = Prepared("""
            INSERT INTO gantry_queues (name, paused, created_at) VALUES ($name, $paused, $now)
            ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
            """);
        upsert.Parameters["$name"].Value = queue;
        upsert.Parameters["$paused"].Value = paused ? 1 : 0;
        upsert.Parameters["$now"].Value = SqliteTime.ToDb(now);
        upsert.ExecuteNonQuery();
        _knownQueues.Add(queue);
        if (paused) _pausedQueues.Add(queue);
        else if (_pausedQueues.Remove(queue)) _command.JobsAvailable(queue);
        _command.QueueSettingChanged();
        return true;
    }

    public bool QueueSetLane(string queue, string? lane, DateTimeOffset now)
    {
        var upsert = Prepared("""
            INSERT INTO gantry_queues (name, paused, created_at, lane) VALUES ($name, 0, $now, $lane)
            ON CONFLICT (name) DO UPDATE SET lane = excluded.lane
            """);
        upsert.Parameters["$name"].Value = queue;
        upsert.Parameters["$lane"].Value = (object?)lane ?? DBNull.Value;
        upsert.Parameters["$now"].Value = SqliteTime.ToDb(now);
        upsert.ExecuteNonQuery();
        _knownQueues.Add(queue);
        _command.QueueSettingChanged();
        return true;
    }
}
