using Gantry.Core.Webhooks;

namespace Gantry.Storage.Sqlite;

/// <summary>The webhooks port's reads: each webhook with its cursors, read on one connection.</summary>
internal sealed partial class SqliteReads
{
    public Webhook? WebhookGet(string name) => ReadWebhooks(name).FirstOrDefault();

    public IReadOnlyList<Webhook> WebhookList() => ReadWebhooks(null);

    private List<Webhook> ReadWebhooks(string? name)
    {
        using var db = Open();
        using var tx = db.BeginTransaction(deferred: true); // one snapshot for the webhooks and their cursors
        var cursors = new Dictionary<string, List<WebhookCursor>>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT webhook, topic, topic_epoch, last_offset, updated_at FROM gantry_webhook_cursors"
                              + (name is null ? "" : " WHERE webhook = $name") + " ORDER BY webhook, topic";
            if (name is not null) cmd.Parameters.AddWithValue("$name", name);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var webhook = r.GetString(0);
                if (!cursors.TryGetValue(webhook, out var list)) cursors[webhook] = list = [];
                list.Add(new WebhookCursor(r.GetString(1), r.GetString(2), r.GetInt64(3), SqliteTime.FromDb(r.GetInt64(4))));
            }
        }
        var webhooks = new List<Webhook>();
        using (var cmd = db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT name, topic, url, secret, epoch, created_at, updated_at FROM gantry_webhooks"
                              + (name is null ? "" : " WHERE name = $name") + " ORDER BY name";
            if (name is not null) cmd.Parameters.AddWithValue("$name", name);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var n = r.GetString(0);
                webhooks.Add(new Webhook(n, r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                    SqliteTime.FromDb(r.GetInt64(5)), SqliteTime.FromDb(r.GetInt64(6)))
                {
                    Cursors = cursors.TryGetValue(n, out var list) ? list : [],
                });
            }
        }
        return webhooks;
    }
}
