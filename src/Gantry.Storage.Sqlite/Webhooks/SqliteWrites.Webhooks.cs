using Gantry.Core.Webhooks;

namespace Gantry.Storage.Sqlite;

/// <summary>The webhooks port's writes (<see cref="Gantry.Core.Storage.IWebhookStore"/>), on the writer thread.</summary>
internal sealed partial class SqliteWrites
{
    public bool WebhookSave(Webhook webhook, IReadOnlyList<WebhookCursor>? cursors)
    {
        var exists = Prepared("SELECT 1 FROM gantry_webhooks WHERE name = $name");
        exists.Parameters["$name"].Value = webhook.Name;
        var created = exists.ExecuteScalar() is null;
        // Without cursors only the settings change: the epoch and the cursors stay, so delivery goes on where it was.
        var save = Prepared(cursors is null
            ? "UPDATE gantry_webhooks SET topic = $topic, url = $url, secret = $secret, updated_at = $updated_at WHERE name = $name"
            : """
              INSERT INTO gantry_webhooks (name, topic, url, secret, epoch, created_at, updated_at)
              VALUES ($name, $topic, $url, $secret, $epoch, $created_at, $updated_at)
              ON CONFLICT (name) DO UPDATE SET topic = excluded.topic, url = excluded.url, secret = excluded.secret,
                  epoch = excluded.epoch, updated_at = excluded.updated_at
              """);
        var p = save.Parameters;
        p["$name"].Value = webhook.Name;
        p["$topic"].Value = webhook.Topic;
        p["$url"].Value = webhook.Url;
        p["$secret"].Value = webhook.Secret;
        p["$updated_at"].Value = SqliteTime.ToDb(webhook.UpdatedAt);
        if (cursors is not null)
        {
            p["$epoch"].Value = webhook.Epoch;
            p["$created_at"].Value = SqliteTime.ToDb(webhook.CreatedAt);
        }
        save.ExecuteNonQuery();
        if (cursors is null) return created;

        var clear = Prepared("DELETE FROM gantry_webhook_cursors WHERE webhook = $name");
        clear.Parameters["$name"].Value = webhook.Name;
        clear.ExecuteNonQuery();
        var insert = Prepared("""
            INSERT INTO gantry_webhook_cursors (webhook, topic, topic_epoch, last_offset, updated_at)
            VALUES ($name, $topic, $topic_epoch, $offset, $now)
            ON CONFLICT (webhook, topic) DO UPDATE SET topic_epoch = excluded.topic_epoch, last_offset = excluded.last_offset,
                updated_at = excluded.updated_at
            """);
        foreach (var c in cursors)
        {
            insert.Parameters["$name"].Value = webhook.Name;
            insert.Parameters["$topic"].Value = c.Topic;
            insert.Parameters["$topic_epoch"].Value = c.TopicEpoch;
            insert.Parameters["$offset"].Value = c.Offset;
            insert.Parameters["$now"].Value = SqliteTime.ToDb(c.UpdatedAt);
            insert.ExecuteNonQuery();
        }
        return created;
    }

    public bool WebhookDelete(string name)
    {
        var cursors = Prepared("DELETE FROM gantry_webhook_cursors WHERE webhook = $name");
        cursors.Parameters["$name"].Value = name;
        cursors.ExecuteNonQuery();
        var delete = Prepared("DELETE FROM gantry_webhooks WHERE name = $name");
        delete.Parameters["$name"].Value = name;
        return delete.ExecuteNonQuery() > 0;
    }

    public bool WebhookAdvance(string name, string epoch, string topic, string topicEpoch, long offset, DateTimeOffset now)
    {
        // Forward only within one history of the topic; a cursor of another history is replaced (offsets of different
        // histories say nothing about each other).
        var advance = Prepared("""
            INSERT INTO gantry_webhook_cursors (webhook, topic, topic_epoch, last_offset, updated_at)
            SELECT $name, $topic, $topic_epoch, $offset, $now WHERE EXISTS (SELECT 1 FROM gantry_webhooks WHERE name = $name AND epoch = $epoch)
            ON CONFLICT (webhook, topic) DO UPDATE SET topic_epoch = excluded.topic_epoch, last_offset = excluded.last_offset,
                updated_at = excluded.updated_at
                WHERE gantry_webhook_cursors.topic_epoch <> excluded.topic_epoch OR gantry_webhook_cursors.last_offset < excluded.last_offset
            """);
        var p = advance.Parameters;
        p["$name"].Value = name;
        p["$topic"].Value = topic;
        p["$topic_epoch"].Value = topicEpoch;
        p["$offset"].Value = offset;
        p["$now"].Value = SqliteTime.ToDb(now);
        p["$epoch"].Value = epoch;
        return advance.ExecuteNonQuery() > 0;
    }
}
