namespace Gantry.Core.Webhooks;

/// <summary>Where a webhook's deliveries live in the job engine: one queue per webhook, so its history is that queue's
/// jobs and its backlog, failures and dead deliveries show in the queue list and statistics like any other queue's.</summary>
public static class WebhookQueues
{
    public const string Prefix = "gantry.webhooks.";

    public static string Of(string webhook) => Prefix + webhook;
}
