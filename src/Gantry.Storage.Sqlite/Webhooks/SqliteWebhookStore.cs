using Gantry.Core.Storage;
using Gantry.Core.Webhooks;

namespace Gantry.Storage.Sqlite;

/// <summary>The webhooks port on SQLite: writes on the writer thread, reads on pooled connections.</summary>
internal sealed class SqliteWebhookStore(SqliteStore store) : IWebhookStore
{
    public async Task<(Webhook Webhook, bool Created)> WebhookSave(Webhook webhook, IReadOnlyList<WebhookCursor>? cursors, CancellationToken ct)
    {
        var created = await store.Writer.Run(w => w.WebhookSave(webhook, cursors)).ConfigureAwait(false);
        return (store.Reads.WebhookGet(webhook.Name)!, created);
    }

    public Task<Webhook?> WebhookGet(string name, CancellationToken ct) => Task.FromResult(store.Reads.WebhookGet(name));

    public Task<IReadOnlyList<Webhook>> WebhookList(CancellationToken ct) => Task.FromResult(store.Reads.WebhookList());

    public Task<bool> WebhookDelete(string name, CancellationToken ct) => store.Writer.Run(w => w.WebhookDelete(name));

    public Task<bool> WebhookAdvance(string name, string epoch, string topic, string topicEpoch, long offset, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.WebhookAdvance(name, epoch, topic, topicEpoch, offset, now));
}
