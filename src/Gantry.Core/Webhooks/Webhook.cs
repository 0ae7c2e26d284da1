namespace Gantry.Core.Webhooks;

/// <summary>A webhook as stored: what it delivers (<paramref name="Topic"/>, a topic or a pattern) to which URL, signed
/// with which secret. <paramref name="Epoch"/> changes whenever the webhook starts again from a new position (created,
/// given another topic or an explicit <c>from</c>), so delivery jobs made for an earlier start are recognised and skipped.</summary>
public sealed record Webhook(string Name, string Topic, string Url, string Secret, string Epoch, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Per topic: the last offset delivered (or given up on). A topic without a cursor starts at its first message.</summary>
    public IReadOnlyList<WebhookCursor> Cursors { get; init; } = [];

    /// <summary>The cursor on <paramref name="topic"/>; 0 when none is stored yet.</summary>
    public long CursorOf(string topic)
    {
        foreach (var c in Cursors)
            if (string.Equals(c.Topic, topic, StringComparison.Ordinal)) return c.Offset;
        return 0;
    }
}

/// <summary>Where a webhook stands on one topic: every message up to <paramref name="Offset"/> was delivered or died.</summary>
public sealed record WebhookCursor(string Topic, long Offset, DateTimeOffset UpdatedAt);
