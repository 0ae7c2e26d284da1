using Gantry.Core.Storage;
using Gantry.Core.Webhooks;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// Webhooks and their cursors. A cursor only moves forward (the update's WHERE compares offsets), and only for the
/// webhook's current epoch, so servers racing to advance it, or a delivery of an earlier start finishing late, cannot
/// move it back or onto a restarted webhook.
/// </summary>
internal sealed class PostgresWebhookStore(NpgsqlDataSource db) : IWebhookStore
{
    private const string Columns = "name, topic, url, secret, epoch, created_at, updated_at";

    public async Task<(Webhook Webhook, bool Created)> WebhookSave(Webhook w, IReadOnlyList<WebhookCursor>? cursors, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        bool created;
        await using (var exists = Command(conn, tx, "SELECT 1 FROM gantry_webhooks WHERE name = $1 FOR UPDATE", P(w.Name)))
            created = await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null;
        if (cursors is null)
        {
            // Only the settings change: the epoch and the cursors stay, so delivery goes on where it was.
            await using var update = Command(conn, tx, "UPDATE gantry_webhooks SET topic = $2, url = $3, secret = $4, updated_at = $5 WHERE name = $1",
                P(w.Name), P(w.Topic), P(w.Url), P(w.Secret), P(Utc(w.UpdatedAt)));
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await using (var upsert = Command(conn, tx, $"""
                INSERT INTO gantry_webhooks ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (name) DO UPDATE SET topic = excluded.topic, url = excluded.url, secret = excluded.secret,
                    epoch = excluded.epoch, updated_at = excluded.updated_at
                """, P(w.Name), P(w.Topic), P(w.Url), P(w.Secret), P(w.Epoch), P(Utc(w.CreatedAt)), P(Utc(w.UpdatedAt))))
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await using (var clear = Command(conn, tx, "DELETE FROM gantry_webhook_cursors WHERE webhook = $1", P(w.Name)))
                await clear.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            foreach (var c in cursors)
            {
                await using var insert = Command(conn, tx, """
                    INSERT INTO gantry_webhook_cursors (webhook, topic, topic_epoch, last_offset, updated_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (webhook, topic) DO UPDATE SET topic_epoch = excluded.topic_epoch, last_offset = excluded.last_offset,
                        updated_at = excluded.updated_at
                    """, P(w.Name), P(c.Topic), P(c.TopicEpoch), P(c.Offset), P(Utc(c.UpdatedAt)));
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return ((await ReadAsync(w.Name, ct).ConfigureAwait(false)).Single(), created);
    }

    public async Task<Webhook?> WebhookGet(string name, CancellationToken ct) => (await ReadAsync(name, ct).ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<Webhook>> WebhookList(CancellationToken ct) => await ReadAsync(null, ct).ConfigureAwait(false);

    public async Task<bool> WebhookDelete(string name, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var cursors = Command(conn, tx, "DELETE FROM gantry_webhook_cursors WHERE webhook = $1", P(name)))
            await cursors.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        int deleted;
        await using (var delete = Command(conn, tx, "DELETE FROM gantry_webhooks WHERE name = $1", P(name)))
            deleted = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return deleted > 0;
    }

    public async Task<bool> WebhookAdvance(string name, string epoch, string topic, string topicEpoch, long offset, DateTimeOffset now, CancellationToken ct)
    {
        // Forward only within one history of the topic; a cursor of another history is replaced (offsets of different
        // histories say nothing about each other).
        await using var cmd = db.CreateCommand("""
            INSERT INTO gantry_webhook_cursors (webhook, topic, topic_epoch, last_offset, updated_at)
            SELECT $1, $2, $6, $3, $4 WHERE EXISTS (SELECT 1 FROM gantry_webhooks WHERE name = $1 AND epoch = $5)
            ON CONFLICT (webhook, topic) DO UPDATE SET topic_epoch = excluded.topic_epoch, last_offset = excluded.last_offset,
                updated_at = excluded.updated_at
                WHERE gantry_webhook_cursors.topic_epoch <> excluded.topic_epoch OR gantry_webhook_cursors.last_offset < excluded.last_offset
            """);
        cmd.Parameters.Add(P(name));
        cmd.Parameters.Add(P(topic));
        cmd.Parameters.Add(P(offset));
        cmd.Parameters.Add(P(Utc(now)));
        cmd.Parameters.Add(P(epoch));
        cmd.Parameters.Add(P(topicEpoch));
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
    }

    /// <summary>One webhook (or all) with cursors, in one statement so both come from one snapshot.</summary>
    private async Task<List<Webhook>> ReadAsync(string? name, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT w.name, w.topic, w.url, w.secret, w.epoch, w.created_at, w.updated_at, c.topic, c.topic_epoch, c.last_offset, c.updated_at
            FROM gantry_webhooks w LEFT JOIN gantry_webhook_cursors c ON c.webhook = w.name
            {(name is null ? "" : "WHERE w.name = $1")}
            ORDER BY w.name COLLATE "C", c.topic COLLATE "C"
            """);
        if (name is not null) cmd.Parameters.Add(P(name));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var webhooks = new List<Webhook>();
        List<WebhookCursor>? cursors = null;
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var n = r.GetString(0);
            if (webhooks.Count == 0 || webhooks[^1].Name != n)
            {
                cursors = [];
                webhooks.Add(new Webhook(n, r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                    r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6)) { Cursors = cursors });
            }
            if (!r.IsDBNull(7)) cursors!.Add(new WebhookCursor(r.GetString(7), r.GetString(8), r.GetInt64(9), r.GetFieldValue<DateTimeOffset>(10)));
        }
        return webhooks;
    }
}

/// <summary>The webhooks port with every call going through <see cref="PostgresCalls"/>: reads and advances (which only
/// move a cursor forward, so repeating one changes nothing) are retried once on a broken connection; saves and deletes not.</summary>
internal sealed class GuardedWebhookStore(IWebhookStore inner, PostgresCalls calls) : IWebhookStore
{
    public Task<(Webhook Webhook, bool Created)> WebhookSave(Webhook webhook, IReadOnlyList<WebhookCursor>? cursors, CancellationToken ct) =>
        calls.Once(c => inner.WebhookSave(webhook, cursors, c), ct);

    public Task<Webhook?> WebhookGet(string name, CancellationToken ct) => calls.Safe(c => inner.WebhookGet(name, c), ct);

    public Task<IReadOnlyList<Webhook>> WebhookList(CancellationToken ct) => calls.Safe(inner.WebhookList, ct);

    public Task<bool> WebhookDelete(string name, CancellationToken ct) => calls.Once(c => inner.WebhookDelete(name, c), ct);

    public Task<bool> WebhookAdvance(string name, string epoch, string topic, string topicEpoch, long offset, DateTimeOffset now, CancellationToken ct) =>
        calls.Safe(c => inner.WebhookAdvance(name, epoch, topic, topicEpoch, offset, now, c), ct);
}
