namespace Gantry.Core.Webhooks;

/// <summary>A webhook as stored: what it delivers (<paramref name="Topic"/>, a topic or a pattern) to which URL, signed
/// with which secret. <paramref name="Epoch"/> changes whenever the webhook starts again from a new position (created,
/// given another topic or an explicit <c>from</c>), so delivery jobs made for an earlier start are recognised and skipped.</summary>
public sealed record Webhook(string Name, string Topic, string Url, string Secret, string Epoch, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Per topic: the last offset delivered (or given up on). A topic without a cursor starts at its first message.</summary>
    public IReadOnlyList<WebhookCursor> Cursors { get; init; } = [];

    /// <summary>The stored cursor on <paramref name="topic"/>, whatever history it belongs to; null when none is stored.</summary>
    public WebhookCursor? CursorFor(string topic)
    {
        foreach (var c in Cursors)
            if (string.Equals(c.Topic, topic, StringComparison.Ordinal)) return c;
        return null;
    }

    /// <summary>Where delivery stands in the history <paramref name="topicEpoch"/> of <paramref name="topic"/>: the stored
    /// offset when the cursor belongs to that history (or to none yet, <see cref="WebhookCursor.AnyEpoch"/>), else 0. A
    /// topic deleted and created again (or a memory topic after a restart) is a new history whose offsets start at 1
    /// again; an old cursor's higher offset would otherwise hide its messages.</summary>
    public long CursorOf(string topic, string topicEpoch) => CursorFor(topic) is { } c && c.BelongsTo(topicEpoch) ? c.Offset : 0;
}

/// <summary>Where a webhook stands on one topic: every message up to <paramref name="Offset"/> of the topic's history
/// <paramref name="TopicEpoch"/> was delivered or died.</summary>
public sealed record WebhookCursor(string Topic, string TopicEpoch, long Offset, DateTimeOffset UpdatedAt)
{
    /// <summary>The topic epoch of a cursor made before its topic's history was known (a start at an offset of a topic
    /// that does not exist yet): it applies to whichever history the first delivery finds, and takes that one's epoch.</summary>
    public const string AnyEpoch = "";

    public bool BelongsTo(string topicEpoch) => TopicEpoch == AnyEpoch || string.Equals(TopicEpoch, topicEpoch, StringComparison.Ordinal);
}
