using Gantry.Core.Topics;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>The topic log's writes (<see cref="Gantry.Core.Storage.ITopicStore"/>), on the writer thread. One writer
/// means appends are serialised through commit, so offsets become visible in order without any lock of our own.</summary>
internal sealed partial class SqliteWrites
{
    /// <summary>Each known topic's epoch and last offset, as this writer last wrote them; cleared with the other caches
    /// when a command rolls back.</summary>
    private readonly Dictionary<string, (string Epoch, long Last)> _topics = new(StringComparer.Ordinal);

    public PublishOutcome TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now, DateTimeOffset dedupSince)
    {
        var (epoch, last) = EnsureTopic(topic, newEpoch, now);
        var results = new PublishResult[messages.Count];
        Dictionary<string, long>? inCall = null;
        var insert = Prepared("""
            INSERT INTO gantry_messages (topic, seq, msg_id, content_type, headers, body, published_at)
            VALUES ($topic, $seq, $msg_id, $content_type, $headers, $body, $published_at)
            """);
        var first = last + 1;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.IdGiven)
            {
                if (inCall is not null && inCall.TryGetValue(m.Id, out var earlier))
                {
                    results[i] = new PublishResult(earlier, Duplicate: true);
                    continue;
                }
                if (FindRecentMessage(topic, m.Id, dedupSince) is { } original)
                {
                    results[i] = new PublishResult(original, Duplicate: true);
                    continue;
                }
            }
            var seq = ++last;
            var p = insert.Parameters;
            p["$topic"].Value = topic;
            p["$seq"].Value = seq;
            p["$msg_id"].Value = m.Id;
            p["$content_type"].Value = (object?)m.ContentType ?? DBNull.Value;
            p["$headers"].Value = (object?)HeaderText.Encode(m.Headers) ?? DBNull.Value;
            p["$body"].Value = Bytes(m.Body);
            p["$published_at"].Value = SqliteTime.ToDb(now);
            insert.ExecuteNonQuery();
            results[i] = new PublishResult(seq, Duplicate: false);
            if (m.IdGiven) (inCall ??= new(StringComparer.Ordinal))[m.Id] = seq;
        }
        if (last >= first)
        {
            var update = Prepared("UPDATE gantry_topics SET last_seq = $last WHERE name = $topic");
            update.Parameters["$last"].Value = last;
            update.Parameters["$topic"].Value = topic;
            update.ExecuteNonQuery();
            _topics[topic] = (epoch, last);
            _command.Published(topic, first, last);
        }
        return new PublishOutcome(results, epoch);
    }

    private long? FindRecentMessage(string topic, string id, DateTimeOffset since)
    {
        var find = Prepared("SELECT seq FROM gantry_messages WHERE topic = $topic AND msg_id = $msg_id AND published_at >= $since ORDER BY seq LIMIT 1");
        find.Parameters["$topic"].Value = topic;
        find.Parameters["$msg_id"].Value = id;
        find.Parameters["$since"].Value = SqliteTime.ToDb(since);
        return find.ExecuteScalar() is long seq ? seq : null;
    }

    private (string Epoch, long Last) EnsureTopic(string topic, string newEpoch, DateTimeOffset now)
    {
        if (_topics.TryGetValue(topic, out var known)) return known;
        if (ReadTopicRow(topic) is { } row) return _topics[topic] = (row.Epoch, row.Last);
        var create = Prepared("INSERT INTO gantry_topics (name, epoch, created_at) VALUES ($name, $epoch, $created_at)");
        create.Parameters["$name"].Value = topic;
        create.Parameters["$epoch"].Value = newEpoch;
        create.Parameters["$created_at"].Value = SqliteTime.ToDb(now);
        create.ExecuteNonQuery();
        return _topics[topic] = (newEpoch, 0);
    }

    private (string Epoch, long Last)? ReadTopicRow(string topic)
    {
        var read = Prepared("SELECT epoch, last_seq FROM gantry_topics WHERE name = $name");
        read.Parameters["$name"].Value = topic;
        using var r = read.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetInt64(1)) : null;
    }

    public TopicInfo TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now)
    {
        EnsureTopic(topic, newEpoch, now);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            UPDATE gantry_topics SET retain_count = $count, retain_age_ms = $age, max_message_bytes = $max, lane = $lane, declared = 1 WHERE name = $name
            """;
        cmd.Parameters.AddWithValue("$count", (object?)settings.RetainCount ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$age", settings.RetainAge is { } age ? (long)age.TotalMilliseconds : DBNull.Value);
        cmd.Parameters.AddWithValue("$max", (object?)settings.MaxMessageBytes ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$lane", (object?)TopicLanes.Name(settings.Lane) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$name", topic);
        cmd.ExecuteNonQuery();
        return SqliteReads.TopicGet(_db, topic)!;
    }

    public bool TopicDelete(string topic)
    {
        _topics.Remove(topic);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            DELETE FROM gantry_messages WHERE topic = $name;
            DELETE FROM gantry_group_deliveries WHERE topic = $name;
            DELETE FROM gantry_groups WHERE topic = $name;
            DELETE FROM gantry_topics WHERE name = $name;
            SELECT changes();
            """;
        cmd.Parameters.AddWithValue("$name", topic);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    public int TopicPrune(string topic, long throughSeq, DateTimeOffset publishedBefore, int limit)
    {
        // Two index range scans (by offset, then by age), each bounded, rather than one scan that tests both: a topic
        // with nothing to prune costs two index probes. The newest message always stays (it holds the last offset).
        var bySeq = Prepared("""
            DELETE FROM gantry_messages WHERE rowid IN (
                SELECT rowid FROM gantry_messages
                WHERE topic = $topic AND seq <= $through AND seq < (SELECT last_seq FROM gantry_topics WHERE name = $topic)
                ORDER BY seq LIMIT $limit)
            """);
        bySeq.Parameters["$topic"].Value = topic;
        bySeq.Parameters["$through"].Value = throughSeq;
        bySeq.Parameters["$limit"].Value = limit;
        var deleted = bySeq.ExecuteNonQuery();
        if (deleted >= limit) return deleted;
        var byAge = Prepared("""
            DELETE FROM gantry_messages WHERE rowid IN (
                SELECT rowid FROM gantry_messages
                WHERE topic = $topic AND published_at < $before AND seq < (SELECT last_seq FROM gantry_topics WHERE name = $topic)
                LIMIT $limit)
            """);
        byAge.Parameters["$topic"].Value = topic;
        byAge.Parameters["$before"].Value = SqliteTime.ToDb(publishedBefore);
        byAge.Parameters["$limit"].Value = limit - deleted;
        return deleted + byAge.ExecuteNonQuery();
    }
}
