using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The consumer groups port on PostgreSQL. A fetch locks its group's row, so fetchers of one group (on any server) take
/// turns moving the cursor; acks and nacks touch only their delivery rows, matched by (offset, attempt), so a member
/// whose lease lapsed cannot settle the redelivery another member holds.
/// </summary>
/// <param name="db">Settings, reads and replays: commits wait for the WAL flush.</param>
/// <param name="fetchDb">Fetches and nacks: commits do not wait for the flush (a lost lease or nack only redelivers).</param>
/// <param name="settleDb">Acks by delivery id: commits do not wait for the flush, and the statements that join
/// a batch of ids never run as a nested loop or a sequential scan, whatever the (always stale) statistics of the
/// deliveries table say; with a nested loop over an in-flight backlog an ack of 100 ids cost 2.7 ms.</param>
internal sealed class PostgresGroupStore(NpgsqlDataSource db, NpgsqlDataSource fetchDb, NpgsqlDataSource settleDb, INotifier notifier) : IGroupStore
{
    public async Task<GroupFetch?> GroupFetch(string topic, string group, string member, int max, GroupPolicy defaults, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var conn = await fetchDb.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        var deliveries = new List<GroupDelivery>(Math.Min(max, 64));
        var lease = new List<(long Seq, int Attempt)>();
        var dead = new List<(long Seq, TopicMessage Message)>();
        var gone = new List<long>();
        var fresh = new List<TopicMessage>();
        DateTimeOffset leaseUntil = default;
        for (var pass = 0; ; pass++)
        {
            // One round trip: lock the group's row, then (under that lock) its due redeliveries and the next new
            // messages after its cursor. Up to max new ones are read whatever the redeliveries bring: reading a few
            // rows too many costs less than another round trip.
            await using var read = new NpgsqlBatch(conn, tx);
            read.BatchCommands.Add(Command(
                "SELECT delivered_seq, ack_timeout_ms, max_deliveries FROM gantry_groups WHERE topic = $1 AND name = $2 FOR UPDATE",
                P(topic), P(group)));
            // Redeliveries first; a message pruned meanwhile is gone for the group too, unless it is a replayed dead letter.
            read.BatchCommands.Add(Command("""
                SELECT d.seq, d.attempt, COALESCE(m.msg_id, d.msg_id), COALESCE(m.content_type, d.content_type),
                       COALESCE(m.headers, d.headers), COALESCE(m.body, d.body), d.published_at, m.seq IS NULL AND d.body IS NULL
                FROM gantry_group_deliveries d LEFT JOIN gantry_messages m ON m.topic = d.topic AND m.seq = d.seq
                WHERE d.topic = $1 AND d.grp = $2 AND d.state < 2 AND d.visible_at <= $3
                ORDER BY d.seq LIMIT $4 FOR UPDATE OF d
                """, P(topic), P(group), P(Utc(now)), P(max)));
            read.BatchCommands.Add(Command($"""
                SELECT {PostgresTopicStore.MessageColumns} FROM gantry_messages
                WHERE topic = $1 AND seq > (SELECT delivered_seq FROM gantry_groups WHERE topic = $1 AND name = $2)
                ORDER BY seq LIMIT $3
                """, P(topic), P(group), P(max)));
            await using (var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await r.ReadAsync(ct).ConfigureAwait(false))
                {
                    var policy = new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(1)), r.GetInt32(2));
                    leaseUntil = Utc(now + policy.AckTimeout);
                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    while (await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var seq = r.GetInt64(0);
                        var attempt = r.GetInt32(1);
                        if (r.GetBoolean(7))
                        {
                            gone.Add(seq);
                            continue;
                        }
                        var message = new TopicMessage(topic, seq, r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                            HeaderText.Decode(r.IsDBNull(4) ? null : r.GetString(4)), r.GetFieldValue<byte[]>(5), r.GetFieldValue<DateTimeOffset>(6));
                        if (attempt >= policy.MaxDeliveries) dead.Add((seq, message));
                        else
                        {
                            lease.Add((seq, attempt + 1));
                            deliveries.Add(new GroupDelivery(message, attempt + 1, leaseUntil));
                        }
                    }
                    await r.NextResultAsync(ct).ConfigureAwait(false);
                    while (deliveries.Count < max && await r.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var m = PostgresTopicStore.Message(r, topic);
                        fresh.Add(m);
                        deliveries.Add(new GroupDelivery(m, 1, leaseUntil));
                    }
                    break;
                }
            }
            // No such group yet: create it (after the topic's newest message) and read again; none either when the
            // topic does not exist.
            if (pass == 1 || await LockGroup(conn, tx, topic, group, defaults, null, now, ct).ConfigureAwait(false) is null) return null;
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        if (lease.Count > 0)
            batch.BatchCommands.Add(Command("""
                UPDATE gantry_group_deliveries d SET state = 1, attempt = u.a, member = $3, visible_at = $4
                FROM unnest($5::bigint[], $6::int[]) AS u(s, a) WHERE d.topic = $1 AND d.grp = $2 AND d.seq = u.s
                """, P(topic), P(group), P(member), P(leaseUntil), P(lease.Select(l => l.Seq).ToArray()), P(lease.Select(l => l.Attempt).ToArray())));
        if (gone.Count > 0)
            batch.BatchCommands.Add(Command("DELETE FROM gantry_group_deliveries WHERE topic = $1 AND grp = $2 AND seq = ANY($3)",
                P(topic), P(group), P(gone.ToArray())));
        foreach (var (seq, message) in dead) batch.BatchCommands.Add(MakeDead(topic, group, seq, message, now));
        if (fresh.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO gantry_group_deliveries (topic, grp, seq, attempt, state, member, visible_at, published_at)
                SELECT $1, $2, s, 1, 1, $3, $4, p FROM unnest($5::bigint[], $6::timestamptz[]) AS u(s, p)
                """, P(topic), P(group), P(member), P(leaseUntil), P(fresh.Select(m => m.Offset).ToArray()),
                P(fresh.Select(m => Utc(m.PublishedAt)).ToArray())));
            batch.BatchCommands.Add(Command("UPDATE gantry_groups SET delivered_seq = $3 WHERE topic = $1 AND name = $2",
                P(topic), P(group), P(fresh[^1].Offset)));
        }
        batch.BatchCommands.Add(Command("SELECT min(visible_at) FROM gantry_group_deliveries WHERE topic = $1 AND grp = $2 AND state < 2",
            P(topic), P(group)));
        DateTimeOffset? nextAt = null;
        await using (var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            do
            {
                if (r.FieldCount == 1 && await r.ReadAsync(ct).ConfigureAwait(false) && !r.IsDBNull(0)) nextAt = r.GetFieldValue<DateTimeOffset>(0);
            } while (await r.NextResultAsync(ct).ConfigureAwait(false));
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new GroupFetch(deliveries, nextAt);
    }

    /// <summary>Locks the group's row, creating the group first if it does not exist (after <paramref name="startAfter"/>,
    /// or the topic's newest message); null when the topic does not exist.</summary>
    private static async Task<(long Delivered, GroupPolicy Policy)?> LockGroup(NpgsqlConnection conn, NpgsqlTransaction tx, string topic,
        string group, GroupPolicy defaults, long? startAfter, DateTimeOffset now, CancellationToken ct)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            await using (var read = Command(conn, tx,
                             "SELECT delivered_seq, ack_timeout_ms, max_deliveries FROM gantry_groups WHERE topic = $1 AND name = $2 FOR UPDATE",
                             P(topic), P(group)))
            await using (var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await r.ReadAsync(ct).ConfigureAwait(false))
                    return (r.GetInt64(0), new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(1)), r.GetInt32(2)));
            }
            if (pass == 1) break;
            await using var create = Command(conn, tx, """
                INSERT INTO gantry_groups (topic, name, delivered_seq, ack_timeout_ms, max_deliveries, created_at)
                SELECT name, $2, COALESCE($3, last_seq), $4, $5, $6 FROM gantry_topics WHERE name = $1
                ON CONFLICT (topic, name) DO NOTHING
                """, P(topic), P(group), new NpgsqlParameter<long?> { TypedValue = startAfter }, P((long)defaults.AckTimeout.TotalMilliseconds),
                P(defaults.MaxDeliveries), P(Utc(now)));
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        return null;
    }

    private static NpgsqlBatchCommand MakeDead(string topic, string group, long seq, TopicMessage message, DateTimeOffset now) => Command("""
        UPDATE gantry_group_deliveries SET state = 2, member = NULL, dead_at = $4, msg_id = $5, content_type = $6, headers = $7, body = $8
        WHERE topic = $1 AND grp = $2 AND seq = $3
        """, P(topic), P(group), P(seq), P(Utc(now)), P(message.Id), new NpgsqlParameter<string?> { TypedValue = message.ContentType },
        new NpgsqlParameter<string?> { TypedValue = HeaderText.Encode(message.Headers) }, P(message.Body.ToArray()));

    public async Task<IReadOnlyList<DeliveryOutcome>> GroupAck(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, CancellationToken ct)
    {
        await using var cmd = settleDb.CreateCommand("""
            DELETE FROM gantry_group_deliveries d USING unnest($3::bigint[], $4::int[]) AS u(s, a)
            WHERE d.topic = $1 AND d.grp = $2 AND d.seq = u.s AND d.attempt = u.a AND d.state = 1
            RETURNING d.seq
            """);
        cmd.Parameters.Add(P(topic));
        cmd.Parameters.Add(P(group));
        cmd.Parameters.Add(P(deliveries.Select(d => d.Offset).ToArray()));
        cmd.Parameters.Add(P(deliveries.Select(d => d.Attempt).ToArray()));
        var acked = new HashSet<long>();
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) acked.Add(r.GetInt64(0));
        return deliveries.Select(d => acked.Remove(d.Offset) ? DeliveryOutcome.Done : DeliveryOutcome.Lost).ToList();
    }

    public async Task<IReadOnlyList<DeliveryOutcome>> GroupNack(string topic, string group, IReadOnlyList<DeliveryRef> deliveries,
        DateTimeOffset redeliverAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await fetchDb.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Settled in one statement: back to waiting, or (delivered the group's maximum times) dead with a copy.
        await using var cmd = Command(conn, tx, """
            WITH g AS (SELECT max_deliveries FROM gantry_groups WHERE topic = $1 AND name = $2)
            UPDATE gantry_group_deliveries d
            SET state = CASE WHEN d.attempt >= g.max_deliveries AND m.seq IS NOT NULL THEN 2 ELSE 0 END,
                member = NULL, visible_at = $5,
                dead_at = CASE WHEN d.attempt >= g.max_deliveries AND m.seq IS NOT NULL THEN $6 END,
                msg_id = COALESCE(d.msg_id, m.msg_id), content_type = COALESCE(d.content_type, m.content_type),
                headers = COALESCE(d.headers, m.headers),
                body = CASE WHEN d.attempt >= g.max_deliveries THEN COALESCE(d.body, m.body) ELSE d.body END
            FROM g, unnest($3::bigint[], $4::int[]) AS u(s, a)
                 LEFT JOIN gantry_messages m ON m.topic = $1 AND m.seq = u.s
            WHERE d.topic = $1 AND d.grp = $2 AND d.seq = u.s AND d.attempt = u.a AND d.state = 1
            RETURNING d.seq, d.state
            """, P(topic), P(group), P(deliveries.Select(d => d.Offset).ToArray()), P(deliveries.Select(d => d.Attempt).ToArray()),
            P(Utc(redeliverAt)), P(Utc(now)));
        var settled = new Dictionary<long, short>();
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) settled[r.GetInt64(0)] = r.GetInt16(1);
        var changes = new ChangeSet();
        if (redeliverAt <= now && settled.Values.Any(s => s == 0))
        {
            changes.GroupReady(topic, group);
            await using var batch = new NpgsqlBatch(conn, tx);
            PostgresNotifications.Add(batch, changes);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (!changes.IsEmpty) notifier.Announce(changes);
        return deliveries.Select(d => settled.Remove(d.Offset, out var state)
            ? state == 2 ? DeliveryOutcome.DeadLettered : DeliveryOutcome.Done
            : DeliveryOutcome.Lost).ToList();
    }

    public async Task<GroupInfo?> GroupGet(string topic, string group, CancellationToken ct) =>
        (await Rows(topic, group, ct).ConfigureAwait(false)).SingleOrDefault();

    public async Task<IReadOnlyList<GroupInfo>> GroupList(string topic, CancellationToken ct) => await Rows(topic, null, ct).ConfigureAwait(false);

    private async Task<List<GroupInfo>> Rows(string topic, string? group, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT g.name, g.delivered_seq, g.ack_timeout_ms, g.max_deliveries, g.created_at, t.last_seq,
                   s.min_open, COALESCE(s.in_flight, 0), COALESCE(s.waiting, 0), COALESCE(s.dead, 0), s.oldest,
                   (SELECT published_at FROM gantry_messages m WHERE m.topic = g.topic AND m.seq > g.delivered_seq ORDER BY m.seq LIMIT 1)
            FROM gantry_groups g JOIN gantry_topics t ON t.name = g.topic
            LEFT JOIN LATERAL (
                SELECT min(seq) FILTER (WHERE state < 2) AS min_open, count(*) FILTER (WHERE state = 1) AS in_flight,
                       count(*) FILTER (WHERE state = 0) AS waiting, count(*) FILTER (WHERE state = 2) AS dead,
                       min(published_at) FILTER (WHERE state < 2) AS oldest
                FROM gantry_group_deliveries d WHERE d.topic = g.topic AND d.grp = g.name) s ON true
            WHERE g.topic = $1 {(group is null ? "" : "AND g.name = $2")}
            ORDER BY g.name
            """);
        cmd.Parameters.Add(P(topic));
        if (group is not null) cmd.Parameters.Add(P(group));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<GroupInfo>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var delivered = r.GetInt64(1);
            var committed = r.IsDBNull(6) ? delivered : r.GetInt64(6) - 1;
            var oldest = ReadTime(r, 10) ?? ReadTime(r, 11);
            list.Add(new GroupInfo(topic, r.GetString(0), new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(2)), r.GetInt32(3)),
                committed, delivered, r.GetInt64(5), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), oldest, r.GetFieldValue<DateTimeOffset>(4)));
        }
        return list;
    }

    public async Task<GroupInfo?> GroupSave(string topic, string group, GroupPolicy policy, long? startAfter, DateTimeOffset now, CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false))
        await using (var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            if (await LockGroup(conn, tx, topic, group, policy, startAfter, now, ct).ConfigureAwait(false) is null) return null;
            await using var set = Command(conn, tx, "UPDATE gantry_groups SET ack_timeout_ms = $3, max_deliveries = $4 WHERE topic = $1 AND name = $2",
                P(topic), P(group), P((long)policy.AckTimeout.TotalMilliseconds), P(policy.MaxDeliveries));
            await set.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        return await GroupGet(topic, group, ct).ConfigureAwait(false);
    }

    public async Task<bool> GroupReset(string topic, string group, long after, GroupPolicy defaults, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (await LockGroup(conn, tx, topic, group, defaults, after, now, ct).ConfigureAwait(false) is null) return false;
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("UPDATE gantry_groups SET delivered_seq = $3 WHERE topic = $1 AND name = $2", P(topic), P(group), P(after)));
        batch.BatchCommands.Add(Command("DELETE FROM gantry_group_deliveries WHERE topic = $1 AND grp = $2 AND state < 2", P(topic), P(group)));
        var changes = new ChangeSet();
        changes.GroupReady(topic, group);
        PostgresNotifications.Add(batch, changes);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        notifier.Announce(changes);
        return true;
    }

    public async Task<bool> GroupDelete(string topic, string group, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("DELETE FROM gantry_group_deliveries WHERE topic = $1 AND grp = $2", P(topic), P(group)));
        var delete = Command("DELETE FROM gantry_groups WHERE topic = $1 AND name = $2", P(topic), P(group));
        batch.BatchCommands.Add(delete);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return delete.RecordsAffected > 0;
    }

    public async Task<IReadOnlyList<DeadLetter>> GroupListDead(string topic, string group, long after, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT seq, msg_id, content_type, headers, body, published_at, attempt, dead_at FROM gantry_group_deliveries
            WHERE topic = $1 AND grp = $2 AND state = 2 AND seq > $3 ORDER BY seq LIMIT $4
            """);
        cmd.Parameters.Add(P(topic));
        cmd.Parameters.Add(P(group));
        cmd.Parameters.Add(P(after));
        cmd.Parameters.Add(P(limit));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<DeadLetter>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new DeadLetter(PostgresTopicStore.Message(r, topic), r.GetInt32(6), r.GetFieldValue<DateTimeOffset>(7)));
        return list;
    }

    public async Task<int> GroupReplayDead(string topic, string group, IReadOnlyList<long>? offsets, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(conn, tx, $"""
            UPDATE gantry_group_deliveries SET state = 0, attempt = 0, visible_at = $3, dead_at = NULL
            WHERE topic = $1 AND grp = $2 AND state = 2 {(offsets is null ? "" : "AND seq = ANY($4)")}
            """, P(topic), P(group), P(Utc(now)));
        if (offsets is not null) cmd.Parameters.Add(P(offsets.ToArray()));
        var n = await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        var changes = new ChangeSet();
        if (n > 0)
        {
            changes.GroupReady(topic, group);
            await using var batch = new NpgsqlBatch(conn, tx);
            PostgresNotifications.Add(batch, changes);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (!changes.IsEmpty) notifier.Announce(changes);
        return n;
    }
}
