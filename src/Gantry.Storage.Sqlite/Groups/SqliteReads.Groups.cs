using Gantry.Core.Topics;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The consumer groups' reads: positions and health, and dead letters.</summary>
internal sealed partial class SqliteReads
{
    public IReadOnlyList<GroupInfo> GroupList(string topic, string? group)
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true);
        return GroupRows(db, topic, group);
    }

    internal static List<GroupInfo> GroupRows(SqliteConnection db, string topic, string? group)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT g.name, g.delivered_seq, g.ack_timeout_ms, g.max_deliveries, g.created_at, t.last_seq,
                   (SELECT min(seq) FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name AND d.state < 2),
                   (SELECT count(*) FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name AND d.state = 1),
                   (SELECT count(*) FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name AND d.state = 0),
                   (SELECT count(*) FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name AND d.state = 2),
                   (SELECT min(published_at) FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name AND d.state < 2),
                   (SELECT published_at FROM gantry_messages m WHERE m.topic = g.topic AND m.seq > g.delivered_seq ORDER BY m.seq LIMIT 1)
            FROM gantry_groups g JOIN gantry_topics t ON t.name = g.topic
            WHERE g.topic = $topic {(group is null ? "" : "AND g.name = $name")}
            ORDER BY g.name
            """;
        cmd.Parameters.AddWithValue("$topic", topic);
        if (group is not null) cmd.Parameters.AddWithValue("$name", group);
        using var r = cmd.ExecuteReader();
        var list = new List<GroupInfo>();
        while (r.Read())
        {
            var delivered = r.GetInt64(1);
            var committed = r.IsDBNull(6) ? delivered : r.GetInt64(6) - 1;
            DateTimeOffset? oldest = !r.IsDBNull(10) ? SqliteTime.FromDb(r.GetInt64(10)) : !r.IsDBNull(11) ? SqliteTime.FromDb(r.GetInt64(11)) : null;
            list.Add(new GroupInfo(topic, r.GetString(0), new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(2)), r.GetInt32(3)),
                committed, delivered, r.GetInt64(5), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), oldest, SqliteTime.FromDb(r.GetInt64(4))));
        }
        return list;
    }

    public IReadOnlyList<DeadLetter> GroupListDead(string topic, string group, long after, int limit)
    {
        using var db = Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT seq, msg_id, content_type, headers, body, published_at, attempt, dead_at FROM gantry_group_deliveries
            WHERE topic = $topic AND grp = $grp AND state = 2 AND seq > $after ORDER BY seq LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$grp", group);
        cmd.Parameters.AddWithValue("$after", after);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<DeadLetter>();
        while (r.Read()) list.Add(new DeadLetter(Message(r, topic), r.GetInt32(6), SqliteTime.FromDb(r.GetInt64(7))));
        return list;
    }
}
