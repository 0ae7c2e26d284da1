using Gantry.Core.Jobs;
using Gantry.Core.Queues;

namespace Gantry.Storage.Sqlite;

/// <summary>The queues port's reads.</summary>
internal sealed partial class SqliteReads
{
    public IReadOnlyList<QueueSummary> QueueList()
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true); // one snapshot for all three reads
        var queues = new SortedDictionary<string, (bool Paused, Dictionary<JobState, long> Counts, DateTimeOffset? Oldest)>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT name, paused FROM gantry_queues";
            using var r = cmd.ExecuteReader();
            while (r.Read()) queues[r.GetString(0)] = (r.GetInt64(1) != 0, JobStates.All.ToDictionary(s => s, _ => 0L), null);
        }
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT queue, state, count(*) FROM gantry_jobs GROUP BY queue, state";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var name = r.GetString(0);
                if (!queues.TryGetValue(name, out var q))
                    queues[name] = q = (false, JobStates.All.ToDictionary(s => s, _ => 0L), null);
                q.Counts[(JobState)r.GetInt32(1)] = r.GetInt64(2);
            }
        }
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT queue, min(run_at) FROM gantry_jobs WHERE state = 1 GROUP BY queue";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (queues.TryGetValue(r.GetString(0), out var q))
                    queues[r.GetString(0)] = q with { Oldest = SqliteTime.FromDb(r.GetInt64(1)) };
            }
        }
        return queues.Select(kv => new QueueSummary(kv.Key, kv.Value.Paused, kv.Value.Counts, kv.Value.Oldest)).ToList();
    }

    public IReadOnlyList<QueueSetting> QueueListSettings()
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT name, paused, lane FROM gantry_queues WHERE paused = 1 OR lane IS NOT NULL ORDER BY name";
        using var r = cmd.ExecuteReader();
        var list = new List<QueueSetting>();
        while (r.Read()) list.Add(new QueueSetting(r.GetString(0), r.GetInt64(1) != 0, r.IsDBNull(2) ? null : r.GetString(2)));
        return list;
    }
}
