using Gantry.Core.Topics;

namespace Gantry.Storage.Sqlite;

/// <summary>The consumer groups' writes (<see cref="Gantry.Core.Storage.IGroupStore"/>), on the writer thread: a fetch
/// leases in the same transaction that moves the cursor, so two fetchers never get one (offset, attempt).</summary>
internal sealed partial class SqliteWrites
{
    public GroupFetch? GroupFetch(string topic, string group, string member, int max, GroupPolicy defaults, DateTimeOffset now)
    {
        if (ReadTopicRow(topic) is null) return null;
        var (delivered, policy) = EnsureGroup(topic, group, defaults, null, now);
        var leaseUntil = SqliteTime.ToDb(now + policy.AckTimeout);
        var deliveries = new List<GroupDelivery>(Math.Min(max, 64));

        // Redeliveries first: their lease ran out or their nack's delay passed. A message pruned meanwhile is gone for
        // the group too (it fell behind the topic's retention), unless it is a replayed dead letter with its own copy.
        var due = Prepared("""
            SELECT d.seq, d.attempt, COALESCE(m.msg_id, d.msg_id), COALESCE(m.content_type, d.content_type),
                   COALESCE(m.headers, d.headers), COALESCE(m.body, d.body), d.published_at, m.seq IS NULL AND d.body IS NULL
            FROM gantry_group_deliveries d LEFT JOIN gantry_messages m ON m.topic = d.topic AND m.seq = d.seq
            WHERE d.topic = $topic AND d.grp = $grp AND d.state < 2 AND d.visible_at <= $now
            ORDER BY d.seq LIMIT $limit
            """);
        due.Parameters["$topic"].Value = topic;
        due.Parameters["$grp"].Value = group;
        due.Parameters["$now"].Value = SqliteTime.ToDb(now);
        due.Parameters["$limit"].Value = max;
        var redeliver = new List<(long Seq, int Attempt, TopicMessage? Message)>();
        using (var r = due.ExecuteReader())
        {
            while (r.Read())
            {
                var gone = r.GetInt64(7) != 0;
                redeliver.Add((r.GetInt64(0), r.GetInt32(1), gone ? null : new TopicMessage(topic, r.GetInt64(0), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), HeaderText.Decode(r.IsDBNull(4) ? null : r.GetString(4)),
                    (byte[])r.GetValue(5), SqliteTime.FromDb(r.GetInt64(6)))));
            }
        }
        foreach (var (seq, attempt, message) in redeliver)
        {
            if (message is null) DeleteDelivery(topic, group, seq);
            else if (attempt >= policy.MaxDeliveries) MakeDead(topic, group, seq, message, now);
            else
            {
                var lease = Prepared("""
                    UPDATE gantry_group_deliveries SET state = 1, attempt = attempt + 1, member = $member, visible_at = $until
                    WHERE topic = $topic AND grp = $grp AND seq = $seq
                    """);
                lease.Parameters["$member"].Value = member;
                lease.Parameters["$until"].Value = leaseUntil;
                lease.Parameters["$topic"].Value = topic;
                lease.Parameters["$grp"].Value = group;
                lease.Parameters["$seq"].Value = seq;
                lease.ExecuteNonQuery();
                deliveries.Add(new GroupDelivery(message, attempt + 1, SqliteTime.FromDb(leaseUntil)));
            }
        }

        if (deliveries.Count < max)
        {
            var fresh = Prepared($"SELECT {SqliteReads.MessageColumns} FROM gantry_messages WHERE topic = $topic AND seq > $after ORDER BY seq LIMIT $limit");
            fresh.Parameters["$topic"].Value = topic;
            fresh.Parameters["$after"].Value = delivered;
            fresh.Parameters["$limit"].Value = max - deliveries.Count;
            var taken = new List<TopicMessage>();
            using (var r = fresh.ExecuteReader())
                while (r.Read()) taken.Add(SqliteReads.Message(r, topic));
            var insert = Prepared("""
                INSERT INTO gantry_group_deliveries (topic, grp, seq, attempt, state, member, visible_at, published_at)
                VALUES ($topic, $grp, $seq, 1, 1, $member, $until, $published_at)
                """);
            foreach (var m in taken)
            {
                var p = insert.Parameters;
                p["$topic"].Value = topic;
                p["$grp"].Value = group;
                p["$seq"].Value = m.Offset;
                p["$member"].Value = member;
                p["$until"].Value = leaseUntil;
                p["$published_at"].Value = SqliteTime.ToDb(m.PublishedAt);
                insert.ExecuteNonQuery();
                deliveries.Add(new GroupDelivery(m, 1, SqliteTime.FromDb(leaseUntil)));
            }
            if (taken.Count > 0) SetDelivered(topic, group, taken[^1].Offset);
        }

        var next = Prepared("SELECT min(visible_at) FROM gantry_group_deliveries WHERE topic = $topic AND grp = $grp AND state < 2");
        next.Parameters["$topic"].Value = topic;
        next.Parameters["$grp"].Value = group;
        var nextAt = next.ExecuteScalar() is long micros ? SqliteTime.FromDb(micros) : (DateTimeOffset?)null;
        return new GroupFetch(deliveries, nextAt);
    }

    private (long Delivered, GroupPolicy Policy) EnsureGroup(string topic, string group, GroupPolicy defaults, long? startAfter, DateTimeOffset now)
    {
        var read = Prepared("SELECT delivered_seq, ack_timeout_ms, max_deliveries FROM gantry_groups WHERE topic = $topic AND name = $name");
        read.Parameters["$topic"].Value = topic;
        read.Parameters["$name"].Value = group;
        using (var r = read.ExecuteReader())
        {
            if (r.Read()) return (r.GetInt64(0), new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(1)), r.GetInt32(2)));
        }
        var start = startAfter ?? ReadTopicRow(topic)?.Last ?? 0;
        var create = Prepared("""
            INSERT INTO gantry_groups (topic, name, delivered_seq, ack_timeout_ms, max_deliveries, created_at)
            VALUES ($topic, $name, $seq, $ack, $max, $now)
            """);
        create.Parameters["$topic"].Value = topic;
        create.Parameters["$name"].Value = group;
        create.Parameters["$seq"].Value = start;
        create.Parameters["$ack"].Value = (long)defaults.AckTimeout.TotalMilliseconds;
        create.Parameters["$max"].Value = defaults.MaxDeliveries;
        create.Parameters["$now"].Value = SqliteTime.ToDb(now);
        create.ExecuteNonQuery();
        return (start, defaults);
    }

    private void SetDelivered(string topic, string group, long seq)
    {
        var set = Prepared("UPDATE gantry_groups SET delivered_seq = $seq WHERE topic = $topic AND name = $name");
        set.Parameters["$seq"].Value = seq;
        set.Parameters["$topic"].Value = topic;
        set.Parameters["$name"].Value = group;
        set.ExecuteNonQuery();
    }

    private void DeleteDelivery(string topic, string group, long seq)
    {
        var delete = Prepared("DELETE FROM gantry_group_deliveries WHERE topic = $topic AND grp = $grp AND seq = $seq");
        delete.Parameters["$topic"].Value = topic;
        delete.Parameters["$grp"].Value = group;
        delete.Parameters["$seq"].Value = seq;
        delete.ExecuteNonQuery();
    }

    private void MakeDead(string topic, string group, long seq, TopicMessage message, DateTimeOffset now)
    {
        var dead = Prepared("""
            UPDATE gantry_group_deliveries
            SET state = 2, member = NULL, dead_at = $now, msg_id = $msg_id, content_type = $content_type, headers = $headers, body = $body
            WHERE topic = $topic AND grp = $grp AND seq = $seq
            """);
        var p = dead.Parameters;
        p["$now"].Value = SqliteTime.ToDb(now);
        p["$msg_id"].Value = message.Id;
        p["$content_type"].Value = (object?)message.ContentType ?? DBNull.Value;
        p["$headers"].Value = (object?)HeaderText.Encode(message.Headers) ?? DBNull.Value;
        p["$body"].Value = Bytes(message.Body);
        p["$topic"].Value = topic;
        p["$grp"].Value = group;
        p["$seq"].Value = seq;
        dead.ExecuteNonQuery();
    }

    public IReadOnlyList<DeliveryOutcome> GroupAck(string topic, string group, IReadOnlyList<DeliveryRef> deliveries)
    {
        var ack = Prepared("DELETE FROM gantry_group_deliveries WHERE topic = $topic AND grp = $grp AND seq = $seq AND attempt = $attempt AND state = 1");
        var results = new DeliveryOutcome[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            var p = ack.Parameters;
            p["$topic"].Value = topic;
            p["$grp"].Value = group;
            p["$seq"].Value = deliveries[i].Offset;
            p["$attempt"].Value = deliveries[i].Attempt;
            results[i] = ack.ExecuteNonQuery() > 0 ? DeliveryOutcome.Done : DeliveryOutcome.Lost;
        }
        return results;
    }

    public IReadOnlyList<DeliveryOutcome> GroupNack(string topic, string group, IReadOnlyList<DeliveryRef> deliveries, DateTimeOffset redeliverAt,
        DateTimeOffset now)
    {
        var results = new DeliveryOutcome[deliveries.Count];
        var policy = GroupPolicyOf(topic, group);
        if (policy is null)
        {
            Array.Fill(results, DeliveryOutcome.Lost);
            return results;
        }
        var nack = Prepared("""
            UPDATE gantry_group_deliveries SET state = 0, member = NULL, visible_at = $at
            WHERE topic = $topic AND grp = $grp AND seq = $seq AND attempt = $attempt AND state = 1
            """);
        for (var i = 0; i < deliveries.Count; i++)
        {
            var d = deliveries[i];
            var p = nack.Parameters;
            p["$at"].Value = SqliteTime.ToDb(redeliverAt);
            p["$topic"].Value = topic;
            p["$grp"].Value = group;
            p["$seq"].Value = d.Offset;
            p["$attempt"].Value = d.Attempt;
            if (nack.ExecuteNonQuery() == 0)
            {
                results[i] = DeliveryOutcome.Lost;
                continue;
            }
            if (d.Attempt >= policy.MaxDeliveries && MessageAt(topic, d.Offset) is { } message)
            {
                MakeDead(topic, group, d.Offset, message, now);
                results[i] = DeliveryOutcome.DeadLettered;
                continue;
            }
            results[i] = DeliveryOutcome.Done;
            if (redeliverAt <= now) _command.GroupReady(topic, group);
        }
        return results;
    }

    private GroupPolicy? GroupPolicyOf(string topic, string group)
    {
        var read = Prepared("SELECT ack_timeout_ms, max_deliveries FROM gantry_groups WHERE topic = $topic AND name = $name");
        read.Parameters["$topic"].Value = topic;
        read.Parameters["$name"].Value = group;
        using var r = read.ExecuteReader();
        return r.Read() ? new GroupPolicy(TimeSpan.FromMilliseconds(r.GetInt64(0)), r.GetInt32(1)) : null;
    }

    private TopicMessage? MessageAt(string topic, long seq)
    {
        var read = Prepared($"SELECT {SqliteReads.MessageColumns} FROM gantry_messages WHERE topic = $topic AND seq = $seq");
        read.Parameters["$topic"].Value = topic;
        read.Parameters["$seq"].Value = seq;
        using var r = read.ExecuteReader();
        return r.Read() ? SqliteReads.Message(r, topic) : null;
    }

    public GroupInfo? GroupSave(string topic, string group, GroupPolicy policy, long? startAfter, DateTimeOffset now)
    {
        if (ReadTopicRow(topic) is null) return null;
        EnsureGroup(topic, group, policy, startAfter, now);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "UPDATE gantry_groups SET ack_timeout_ms = $ack, max_deliveries = $max WHERE topic = $topic AND name = $name";
        cmd.Parameters.AddWithValue("$ack", (long)policy.AckTimeout.TotalMilliseconds);
        cmd.Parameters.AddWithValue("$max", policy.MaxDeliveries);
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$name", group);
        cmd.ExecuteNonQuery();
        return SqliteReads.GroupRows(_db, topic, group).SingleOrDefault();
    }

    public bool GroupReset(string topic, string group, long after, GroupPolicy defaults, DateTimeOffset now)
    {
        if (ReadTopicRow(topic) is null) return false;
        EnsureGroup(topic, group, defaults, after, now);
        SetDelivered(topic, group, after);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "DELETE FROM gantry_group_deliveries WHERE topic = $topic AND grp = $grp AND state < 2";
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$grp", group);
        cmd.ExecuteNonQuery();
        _command.GroupReady(topic, group);
        return true;
    }

    public bool GroupDelete(string topic, string group)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            DELETE FROM gantry_group_deliveries WHERE topic = $topic AND grp = $grp;
            DELETE FROM gantry_groups WHERE topic = $topic AND name = $grp;
            SELECT changes();
            """;
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$grp", group);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    public int GroupReplayDead(string topic, string group, IReadOnlyList<long>? offsets, DateTimeOffset now)
    {
        using var cmd = _db.CreateCommand();
        var only = offsets is null ? "" : $"AND seq IN ({string.Join(",", offsets.Select(o => o.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
        cmd.CommandText = $"""
            UPDATE gantry_group_deliveries SET state = 0, attempt = 0, visible_at = $now, dead_at = NULL
            WHERE topic = $topic AND grp = $grp AND state = 2 {only}
            """;
        cmd.Parameters.AddWithValue("$now", SqliteTime.ToDb(now));
        cmd.Parameters.AddWithValue("$topic", topic);
        cmd.Parameters.AddWithValue("$grp", group);
        var n = cmd.ExecuteNonQuery();
        if (n > 0) _command.GroupReady(topic, group);
        return n;
    }
}
