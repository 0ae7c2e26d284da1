using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The topic log port on PostgreSQL. An append takes the topic row's lock (<c>FOR UPDATE</c>) before it picks offsets
/// and holds it through commit, so a later offset is only handed out after every earlier one is committed: readers on
/// any server see offsets appear in order, never a gap that fills in later (the outbox/projection cursor bug that
/// sequences or max()+1 offsets give).
/// </summary>
internal sealed class PostgresTopicStore(NpgsqlDataSource db, INotifier notifier) : ITopicStore
{
    internal const string MessageColumns = "seq, msg_id, content_type, headers, body, published_at";

    internal static TopicMessage Message(NpgsqlDataReader r, string topic, int at = 0) => new(
        topic, r.GetInt64(at), r.GetString(at + 1), r.IsDBNull(at + 2) ? null : r.GetString(at + 2),
        HeaderText.Decode(r.IsDBNull(at + 3) ? null : r.GetString(at + 3)), r.GetFieldValue<byte[]>(at + 4),
        r.GetFieldValue<DateTimeOffset>(at + 5));

    public async Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        var givenIds = messages.Where(m => m.IdGiven).Select(m => m.Id).Distinct().ToArray();
        string epoch;
        long last;
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(Command("INSERT INTO gantry_topics (name, epoch, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
                P(topic), P(newEpoch), P(Utc(now))));
            batch.BatchCommands.Add(Command("SELECT epoch, last_seq FROM gantry_topics WHERE name = $1 FOR UPDATE", P(topic)));
            if (givenIds.Length > 0)
                batch.BatchCommands.Add(Command("""
                    SELECT msg_id, min(seq) FROM gantry_messages WHERE topic = $1 AND msg_id = ANY($2) AND published_at >= $3 GROUP BY msg_id
                    """, P(topic), P(givenIds), P(Utc(dedupSince))));
            // The INSERT returns no rows, so the reader starts at the SELECT.
            await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            epoch = r.GetString(0);
            last = r.GetInt64(1);
            if (givenIds.Length > 0)
            {
                await r.NextResultAsync(ct).ConfigureAwait(false);
                while (await r.ReadAsync(ct).ConfigureAwait(false)) known[r.GetString(0)] = r.GetInt64(1);
            }
        }

        var results = new PublishResult[messages.Count];
        var first = last + 1;
        var seqs = new List<long>(messages.Count);
        var ids = new List<string>(messages.Count);
        var types = new List<string?>(messages.Count);
        var headers = new List<string?>(messages.Count);
        var bodies = new List<byte[]>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.IdGiven && known.TryGetValue(m.Id, out var original))
            {
                results[i] = new PublishResult(original, Duplicate: true);
                continue;
            }
            var seq = ++last;
            if (m.IdGiven) known[m.Id] = seq;
            results[i] = new PublishResult(seq, Duplicate: false);
            seqs.Add(seq);
            ids.Add(m.Id);
            types.Add(m.ContentType);
            headers.Add(HeaderText.Encode(m.Headers));
            bodies.Add(m.Body.ToArray());
        }
        var changes = new ChangeSet();
        if (seqs.Count > 0)
        {
            await using var batch = new NpgsqlBatch(conn, tx);
            batch.BatchCommands.Add(Command("""
                INSERT INTO gantry_messages (topic, seq, msg_id, content_type, headers, body, published_at)
                SELECT $1, s, i, c, h, b, $7 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[]) AS u(s, i, c, h, b)
                """, P(topic), P(seqs.ToArray()), P(ids.ToArray()), P(types.ToArray()), P(headers.ToArray()), P(bodies.ToArray()), P(Utc(now))));
            batch.BatchCommands.Add(Command("UPDATE gantry_topics SET last_seq = $2 WHERE name = $1", P(topic), P(last)));
            changes.Published(topic, first, last);
            PostgresNotifications.Add(batch, changes);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (!changes.IsEmpty) notifier.Announce(changes);
        return new PublishOutcome(results, epoch);
    }

    public async Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        // One snapshot: the head (epoch, first, last) and the messages agree.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("""
            SELECT epoch, last_seq, (SELECT min(seq) FROM gantry_messages WHERE topic = $1) FROM gantry_topics WHERE name = $1
            """, P(topic)));
        batch.BatchCommands.Add(Command($"SELECT {MessageColumns} FROM gantry_messages WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            P(topic), P(after), P(limit)));
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
        var epoch = r.GetString(0);
        var last = r.GetInt64(1);
        var first = r.IsDBNull(2) ? last + 1 : r.GetInt64(2);
        await r.NextResultAsync(ct).ConfigureAwait(false);
        var messages = new List<TopicMessage>(Math.Min(limit, 256));
        while (await r.ReadAsync(ct).ConfigureAwait(false)) messages.Add(Message(r, topic));
        return new TopicRead(messages, epoch, first, last);
    }

    public async Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT t.last_seq, (SELECT min(seq) FROM gantry_messages m WHERE m.topic = t.name AND m.published_at >= $2)
            FROM gantry_topics t WHERE t.name = $1
            """);
        cmd.Parameters.Add(P(topic));
        cmd.Parameters.Add(P(Utc(time)));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await r.ReadAsync(ct).ConfigureAwait(false)) return null;
        return r.IsDBNull(1) ? r.GetInt64(0) : r.GetInt64(1) - 1;
    }

    public async Task<TopicInfo?> TopicGet(string topic, CancellationToken ct) => (await Rows(topic, ct).ConfigureAwait(false)).SingleOrDefault();

    public async Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct) => await Rows(null, ct).ConfigureAwait(false);

    private async Task<List<TopicInfo>> Rows(string? name, CancellationToken ct)
    {
        // The count is last - first + 1: offsets are dense and pruning takes the oldest, so no count(*) over the log.
        await using var cmd = db.CreateCommand($"""
            SELECT name, epoch, last_seq, retain_count, retain_age_ms, max_message_bytes, declared, created_at,
                   (SELECT min(seq) FROM gantry_messages m WHERE m.topic = t.name), lane
            FROM gantry_topics t {(name is null ? "" : "WHERE name = $1")} ORDER BY name
            """);
        if (name is not null) cmd.Parameters.Add(P(name));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<TopicInfo>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var last = r.GetInt64(2);
            var first = r.IsDBNull(8) ? last + 1 : r.GetInt64(8);
            list.Add(new TopicInfo(r.GetString(0), r.GetString(1),
                new TopicSettings(r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : TimeSpan.FromMilliseconds(r.GetInt64(4)),
                    r.IsDBNull(5) ? null : r.GetInt32(5), TopicLanes.Parse(r.IsDBNull(9) ? null : r.GetString(9))),
                first, last, Math.Max(0, last - first + 1), r.GetFieldValue<DateTimeOffset>(7), r.GetBoolean(6)));
        }
        return list;
    }

    public async Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO gantry_topics (name, epoch, created_at, retain_count, retain_age_ms, max_message_bytes, lane, declared)
            VALUES ($1, $2, $3, $4, $5, $6, $7, true)
            ON CONFLICT (name) DO UPDATE SET retain_count = excluded.retain_count, retain_age_ms = excluded.retain_age_ms,
                max_message_bytes = excluded.max_message_bytes, lane = excluded.lane, declared = true
            """);
        cmd.Parameters.Add(P(topic));
        cmd.Parameters.Add(P(newEpoch));
        cmd.Parameters.Add(P(Utc(now)));
        cmd.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = settings.RetainCount });
        cmd.Parameters.Add(new NpgsqlParameter<long?> { TypedValue = settings.RetainAge is { } a ? (long)a.TotalMilliseconds : null });
        cmd.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = settings.MaxMessageBytes });
        cmd.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = TopicLanes.Name(settings.Lane) });
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return (await TopicGet(topic, ct).ConfigureAwait(false))!;
    }

    public async Task<bool> TopicDelete(string topic, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("DELETE FROM gantry_group_deliveries WHERE topic = $1", P(topic)));
        batch.BatchCommands.Add(Command("DELETE FROM gantry_groups WHERE topic = $1", P(topic)));
        batch.BatchCommands.Add(Command("DELETE FROM gantry_messages WHERE topic = $1", P(topic)));
        var deleteTopic = Command("DELETE FROM gantry_topics WHERE name = $1", P(topic));
        batch.BatchCommands.Add(deleteTopic);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return deleteTopic.RecordsAffected > 0;
    }

    public async Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct)
    {
        // Two bounded index range scans (by offset, then by age); the newest message always stays. Deleting rows takes
        // no lock on the topic row, so publishers never wait for a prune.
        await using var bySeq = db.CreateCommand("""
            DELETE FROM gantry_messages WHERE topic = $1 AND seq IN (
                SELECT seq FROM gantry_messages WHERE topic = $1 AND seq <= $2
                  AND seq < (SELECT last_seq FROM gantry_topics WHERE name = $1) ORDER BY seq LIMIT $3)
            """);
        bySeq.Parameters.Add(P(topic));
        bySeq.Parameters.Add(P(throughOffset));
        bySeq.Parameters.Add(P(limit));
        var deleted = await bySeq.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        if (deleted >= limit) return deleted;
        await using var byAge = db.CreateCommand("""
            DELETE FROM gantry_messages WHERE topic = $1 AND seq IN (
                SELECT seq FROM gantry_messages WHERE topic = $1 AND published_at < $2
                  AND seq < (SELECT last_seq FROM gantry_topics WHERE name = $1) LIMIT $3)
            """);
        byAge.Parameters.Add(P(topic));
        byAge.Parameters.Add(P(Utc(publishedBefore)));
        byAge.Parameters.Add(P(limit - deleted));
        return deleted + await byAge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
