using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary><c>PUT /api/webhooks/{name}</c>: create or update a webhook.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class WebhookRequest
{
    /// <summary>The topic, or a pattern (<c>orders.*</c>, <c>orders.#</c>), whose messages are POSTed.</summary>
    [Required]
    public string? Topic { get; set; }
    /// <summary>An absolute http or https URL.</summary>
    [Required]
    public string? Url { get; set; }
    /// <summary><c>whsec_</c> + base64 of a 16-64 byte key. Left out: a new webhook gets a generated one, an existing
    /// one keeps its own.</summary>
    public string? Secret { get; set; }
    /// <summary><c>"last"</c> (the default for a new webhook: messages published from now on), <c>"first"</c> (every
    /// kept message) or an offset (the first message to deliver; one topic only). Given on an existing webhook, it
    /// starts the webhook again from there.</summary>
    public RawJson? From { get; set; }
}

/// <summary>A webhook: its settings, its cursors and (for one webhook) its recent deliveries.</summary>
public sealed class WebhookView
{
    public string Name { get; set; } = "";
    public string Topic { get; set; } = "";
    public string Url { get; set; } = "";
    /// <summary>In full in the answer to the PUT that made or changed it; masked (<c>whsec_abcd…</c>) otherwise.</summary>
    public string Secret { get; set; } = "";
    /// <summary>The job queue the deliveries are on.</summary>
    public string Queue { get; set; } = "";
    /// <summary>Changes each time the webhook starts afresh (created, another topic, an explicit <c>from</c>).</summary>
    public string Epoch { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Per topic, the last offset delivered or given up on.</summary>
    public List<WebhookCursorView> Cursors { get; set; } = [];
    /// <summary>The most recent deliveries, newest first (only in <c>GET /api/webhooks/{name}</c>).</summary>
    public List<WebhookDeliveryView>? Deliveries { get; set; }
}

public sealed class WebhookCursorView
{
    public string Topic { get; set; } = "";
    /// <summary>The topic's history (its epoch) the offset belongs to; null before a first delivery of a start at an
    /// offset of a topic that did not exist yet. A topic with another epoch now starts at its first kept message.</summary>
    public string? TopicEpoch { get; set; }
    public long Offset { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One message's delivery: its job, where the job stands, and what the receiver answered.</summary>
public sealed class WebhookDeliveryView
{
    public long JobId { get; set; }
    public string? Topic { get; set; }
    public long? Offset { get; set; }
    /// <summary>The job's state: available, running, failed (a retry is due at <c>next_attempt_at</c>), succeeded, dead, cancelled.</summary>
    public string State { get; set; } = "";
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    /// <summary>The status code of the latest attempt that got an answer.</summary>
    public int? StatusCode { get; set; }
    public string? LastError { get; set; }
    /// <summary>Why no POST was made (already delivered, the message no longer kept, the webhook restarted).</summary>
    public string? Skipped { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
}

public sealed class WebhookListView
{
    public List<WebhookView> Webhooks { get; set; } = [];
}
