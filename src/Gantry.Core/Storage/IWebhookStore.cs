using Gantry.Core.Webhooks;

namespace Gantry.Core.Storage;

/// <summary>
/// The webhooks port: named subscriptions (topic or pattern, URL, secret) and their cursors, one per topic the
/// webhook has delivered from. The deliveries themselves are jobs (queue <c>gantry.webhooks.{name}</c>), so this port
/// keeps only what the job store cannot: where each topic's delivery stands. The conformance suite in
/// tests/Gantry.Storage.Tests runs every behaviour below against every driver.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Creates the webhook or replaces its settings. When <paramref name="cursors"/> is not null the webhook
    /// takes <see cref="Webhook.Epoch"/> from <paramref name="webhook"/> and its cursors are replaced by these (a new
    /// start); when null the stored epoch and cursors stay. Returns the webhook as stored and whether it was new.</summary>
    Task<(Webhook Webhook, bool Created)> WebhookSave(Webhook webhook, IReadOnlyList<WebhookCursor>? cursors, CancellationToken ct);

    /// <summary>The webhook with its cursors (by topic); null when there is none.</summary>
    Task<Webhook?> WebhookGet(string name, CancellationToken ct);

    /// <summary>Every webhook, by name, with its cursors.</summary>
    Task<IReadOnlyList<Webhook>> WebhookList(CancellationToken ct);

    /// <summary>Deletes the webhook and its cursors; false when there was none.</summary>
    Task<bool> WebhookDelete(string name, CancellationToken ct);

    /// <summary>Moves the webhook's cursor on <paramref name="topic"/> to <paramref name="offset"/> of the topic's history
    /// <paramref name="topicEpoch"/>, creating it, provided the webhook still has <paramref name="epoch"/>. Within one
    /// history a cursor only moves forward; a cursor of another history (the topic was deleted and created again, a memory
    /// topic's server restarted, or <see cref="WebhookCursor.AnyEpoch"/>) is replaced, since offsets of different
    /// histories cannot be compared. False when the webhook is gone or was restarted (another epoch), or the cursor was
    /// already there.</summary>
    Task<bool> WebhookAdvance(string name, string epoch, string topic, string topicEpoch, long offset, DateTimeOffset now, CancellationToken ct);
}
