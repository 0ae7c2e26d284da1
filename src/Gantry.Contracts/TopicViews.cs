using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary><c>POST /api/topics/{topic}/messages</c>: one message, or a batch in <c>messages</c> (stored in one
/// transaction).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PublishRequest
{
    /// <summary>Any JSON value. Exclusive with <c>payload_base64</c> and <c>messages</c>.</summary>
    public RawJson? Payload { get; set; }
    /// <summary>Binary payload, base64.</summary>
    public string? PayloadBase64 { get; set; }
    /// <summary>The message id: a repeat within the dedup window is stored once (<c>duplicate: true</c>, the first
    /// offset). Made up by the server when left out.</summary>
    public string? Id { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    /// <summary>A batch: each element takes the fields above.</summary>
    public List<PublishRequest>? Messages { get; set; }
}

/// <summary>Where one published message went.</summary>
public sealed class PublishedMessage
{
    public long Offset { get; set; }
    /// <summary>The id was published before, within the dedup window: <c>offset</c> is the first one's.</summary>
    public bool Duplicate { get; set; }
    public string? Epoch { get; set; }
}

public sealed class PublishBatchResponse
{
    public List<PublishedMessage> Messages { get; set; } = [];
    public string? Epoch { get; set; }
}

/// <summary>A message of a topic, as polls, SSE events and group fetches carry it.</summary>
public sealed class MessageView
{
    public long Offset { get; set; }
    public string Id { get; set; } = "";
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public string? Topic { get; set; }
}

/// <summary><c>GET /api/topics/{topic}/messages</c>: messages after <c>after</c>; pass <c>next</c> as the next call's
/// <c>after</c>.</summary>
public sealed class MessagePage
{
    public List<MessageView> Messages { get; set; } = [];
    public long Next { get; set; }
    /// <summary>Null for a topic nobody has published to yet.</summary>
    public string? Epoch { get; set; }
    /// <summary>The oldest offset still kept.</summary>
    public long FirstOffset { get; set; }
    public long LastOffset { get; set; }
    /// <summary>Messages between <c>after</c> and <c>first_offset</c> were pruned (retention) before this read.</summary>
    public bool Truncated { get; set; }
}

public sealed class TopicView
{
    public string Name { get; set; } = "";
    public string Epoch { get; set; } = "";
    public long FirstOffset { get; set; }
    public long LastOffset { get; set; }
    public long MessageCount { get; set; }
    public long? RetainCount { get; set; }
    public double? RetainSeconds { get; set; }
    public int? MaxMessageBytes { get; set; }
    /// <summary><c>durable</c> or <c>memory</c>.</summary>
    public string Lane { get; set; } = "durable";
    /// <summary>Live subscribers on the server that answered.</summary>
    public int Subscribers { get; set; }
    /// <summary>The topic's consumer groups with their lag (as <c>GET …/groups</c> lists them).</summary>
    public List<GroupView> Groups { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class TopicListView
{
    public List<TopicView> Topics { get; set; } = [];
}

/// <summary><c>PUT /api/topics/{topic}</c>: declare a topic or change its settings; null fields take the server's defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TopicSettingsRequest
{
    public long? RetainCount { get; set; }
    public double? RetainSeconds { get; set; }
    public int? MaxMessageBytes { get; set; }
    /// <summary><c>durable</c> (stored; the default for a new topic) or <c>memory</c> (this server's memory: fastest, lost
    /// on restart, each start a new epoch). Left out, an existing topic keeps its lane.</summary>
    public string? Lane { get; set; }
}

/// <summary><c>POST /api/topics/{topic}/groups/{group}/fetch</c>: lease up to <c>max</c> messages to <c>member</c>,
/// waiting up to <c>wait</c> seconds for the first.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class GroupFetchRequest
{
    public int? Max { get; set; }
    public double? Wait { get; set; }
    public string? Member { get; set; }
}

/// <summary>A message leased to one member: quote <c>delivery_id</c> to ack or nack it.</summary>
public sealed class GroupMessageView
{
    public string DeliveryId { get; set; } = "";
    public long Offset { get; set; }
    public int Attempt { get; set; }
    public string Id { get; set; } = "";
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset LeaseExpiresAt { get; set; }
}

public sealed class GroupFetchResponse
{
    public List<GroupMessageView> Messages { get; set; } = [];
}

/// <summary><c>.../ack</c> and <c>.../nack</c>; a nack's <c>delay</c> (seconds) postpones the redelivery.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class DeliveriesRequest
{
    [Required]
    public List<string>? DeliveryIds { get; set; }
    public double? Delay { get; set; }
}

public sealed class DeliveryOutcomeView
{
    public string DeliveryId { get; set; } = "";
    /// <summary><c>acked</c>, <c>nacked</c>, <c>dead</c> (delivered the group's maximum times) or <c>lost</c> (not leased
    /// under that id any more: nothing changed).</summary>
    public string Outcome { get; set; } = "";
}

public sealed class DeliveryOutcomes
{
    public List<DeliveryOutcomeView> Results { get; set; } = [];
}

public sealed class GroupView
{
    public string Topic { get; set; } = "";
    public string Name { get; set; } = "";
    public long Committed { get; set; }
    public long Delivered { get; set; }
    public long LastOffset { get; set; }
    public long Lag { get; set; }
    public long InFlight { get; set; }
    public long Waiting { get; set; }
    public long Dead { get; set; }
    public double? OldestUnackedAgeSeconds { get; set; }
    public double AckTimeout { get; set; }
    public int MaxDeliveries { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class GroupListView
{
    public List<GroupView> Groups { get; set; } = [];
}

/// <summary><c>PUT /api/topics/{topic}/groups/{group}</c>: declare a group or change its policy; left-out fields keep
/// their current values (the server's defaults for a new group). <c>from</c> places a new group's cursor (default
/// <c>last</c>: only messages published from now on); an existing group keeps its cursor (move it with reset), so
/// declaring the same group at every start is safe.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class GroupSettingsRequest
{
    /// <summary>Seconds a member holds a delivery before it is delivered again.</summary>
    public double? AckTimeout { get; set; }
    /// <summary>Deliveries of one message before it goes to the dead letters.</summary>
    public int? MaxDeliveries { get; set; }
    public string? From { get; set; }
}

/// <summary>One live subscriber of a topic on the server that answered.</summary>
public sealed class SubscriberView
{
    /// <summary><c>sse</c> today; <c>stomp</c> and others as fronts are added.</summary>
    public string Transport { get; set; } = "";
    /// <summary>The client id or login the subscriber gave, if any.</summary>
    public string? Client { get; set; }
    /// <summary>What it subscribed to: the topic itself or a pattern that matches it.</summary>
    public string Subscription { get; set; } = "";
    public DateTimeOffset Since { get; set; }
}

public sealed class SubscriberListView
{
    public List<SubscriberView> Subscribers { get; set; } = [];
}

/// <summary><c>POST .../reset</c>: where the group continues (<c>first</c>, <c>last</c>, an offset or an ISO 8601 time).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class GroupResetRequest
{
    [Required]
    public string? From { get; set; }
}

public sealed class DeadLetterView
{
    public long Offset { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset DeadAt { get; set; }
    public MessageView Message { get; set; } = new();
}

public sealed class DeadLetterList
{
    public List<DeadLetterView> Messages { get; set; } = [];
}

/// <summary><c>POST .../dead/replay</c>: the offsets to deliver again, or every dead letter when left out.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ReplayRequest
{
    public List<long>? Offsets { get; set; }
}

public sealed class ReplayResponse
{
    public int Replayed { get; set; }
}
