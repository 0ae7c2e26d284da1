using Gantry.Core.Topics;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The topic log's reads. Each runs in one read transaction, so the offsets it reports and the messages it
/// returns come from one snapshot.</summary>
internal sealed partial class SqliteReads
{
    /// <summary>The message columns, in the order <see cref="Message"/> reads them.</summary>
    internal const string MessageColumns = "seq, msg_id, content_type, headers, body, published_at";

    internal static TopicMessage Message(SqliteDataReader r, string topic, int at = 0) => new(
        topic, r.GetInt64(at), r.GetString(at + 1), r.IsDBNull(at + 2) ? null : r.GetString(at + 2),
        HeaderText.Decode(r.IsDBNull(at + 3) ? null : r.GetString(at + 3)), (byte[])r.GetValue(at + 4),
        SqliteTime.FromDb(r.GetInt64(at + 5)));

    public TopicRead? TopicRead(string topic, long after, int limit)
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true);
        if (Head(db, topic) is not { } head) return null;
        var messages = new List<TopicMessage>(Math.Min(limit, 256));
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = $"SELECT {MessageColumns} FROM gantry_messages WHERE topic = $topic AND seq > $after ORDER BY seq LIMIT $limit";
            cmd.Parameters.AddWithValue("$topic", topic);
            cmd.Parameters.AddWithValue("$after", after);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var r = cmd.ExecuteReader();
            while (r.Read()) messages.Add(Message(r, topic));
        }
        return new TopicRead(messages, head.Epoch, head.First, head.Last);
    }

    /// <summary>The topic's epoch, oldest kept offset and last offset.</summary>
    private static (string Epoch, long First, long Last)? Head(SqliteConnection db, string topic)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT epoch, last_seq, (SELECT min(seq) FROM gantry_messages WHERE topic = $topic) FROM gantry_topics WHERE name = $topic
            """;
        cmd.Parameters.AddWithValue("$topic", topic);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        var last = r.GetInt64(1);
        return (r.GetString(0), r.IsDBNull(2) ? last + 1 : r.GetInt64(2), last);
    }

    public long? TopicOffsetBefore(string topic, DateTimeOffset time)
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true);
        if (Head(db, topic) is not { } head) return null;
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT min(seq) FROM gantry_messages WHERE topic = $topic AND published_at >= $time";
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$time", SqliteTime.ToDb(time));
        return cmd.ExecuteScalar() is long seq ? seq - 1 : head.Last;
    }

    public TopicInfo? TopicGet(string topic)
    {
        using var db = Open();
        return TopicGet(db, topic);
    }

    public IReadOnlyList<TopicInfo> TopicList()
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true);
        return TopicRows(db, null);
    }

    internal static TopicInfo? TopicGet(SqliteConnection db, string topic) => TopicRows(db, topic) is [var one] ? one : null;

    private static List<TopicInfo> TopicRows(SqliteConnection db, string? name)
    {
        using var cmd = db.CreateCommand();
        // The count is last - first + 1: offsets are dense and pruning takes the oldest, so no count(*) over the log.
        cmd.CommandText = $"""
            SELECT name, epoch, last_seq, retain_count, retain_age_ms, max_message_bytes, declared, created_at,
                   (SELECT min(seq) FROM gantry_messages m WHERE m.topic = t.name), lane
            FROM gantry_topics t {(name is null ? "" : "WHERE name = $name")} ORDER BY name
            """;
        if (name is not null) cmd.Parameters.AddWithValue("$name", name);
        using var r = cmd.ExecuteReader();
        var list = new List<TopicInfo>();
        while (r.Read())
        {
            var last = r.GetInt64(2);
            var first = r.IsDBNull(8) ? last + 1 : r.GetInt64(8);
            list.Add(new TopicInfo(r.GetString(0), r.GetString(1),
                new TopicSettings(r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : TimeSpan.FromMilliseconds(r.GetInt64(4)),
                    r.IsDBNull(5) ? null : r.GetInt32(5), TopicLanes.Parse(r.IsDBNull(9) ? null : r.GetString(9))),
                first, last, Math.Max(0, last - first + 1), SqliteTime.FromDb(r.GetInt64(7)), r.GetInt64(6) != 0));
        }
        return list;
    }
}
