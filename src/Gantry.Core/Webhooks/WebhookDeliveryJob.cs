using System.Buffers;
using System.Text.Json;

namespace Gantry.Core.Webhooks;

/// <summary>A delivery job's payload: which webhook (and which start of it, <paramref name="Epoch"/>) delivers which
/// message (<paramref name="Offset"/> in the topic's history <paramref name="TopicEpoch"/>). The message itself is read
/// from the topic when the job runs, so a job stays small whatever the message.</summary>
public sealed record WebhookDeliveryJob(string Webhook, string Epoch, string Topic, string TopicEpoch, long Offset)
{
    /// <summary>The job's unique key: one live job per message and start, so a dispatcher that enqueues again after a
    /// crash (or on another server) gets the job already there. The topic epoch is part of it: offset 1 of a topic
    /// created again is another message than offset 1 before.</summary>
    public string UniqueKey => $"{Epoch}:{Topic}:{TopicEpoch}:{Offset}";

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("webhook", Webhook);
            w.WriteString("epoch", Epoch);
            w.WriteString("topic", Topic);
            w.WriteString("topic_epoch", TopicEpoch);
            w.WriteNumber("offset", Offset);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The payload of a delivery job; null for anything else (a job someone enqueued on the queue by hand).</summary>
    public static WebhookDeliveryJob? TryParse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("webhook", out var webhook) || webhook.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("topic_epoch", out var topicEpoch) || topicEpoch.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("offset", out var offset) || !offset.TryGetInt64(out var n)) return null;
            return new WebhookDeliveryJob(webhook.GetString()!, epoch.GetString()!, topic.GetString()!, topicEpoch.GetString()!, n);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
