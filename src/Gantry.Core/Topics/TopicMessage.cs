namespace Gantry.Core.Topics;

/// <summary>A message to publish. <paramref name="IdGiven"/> is false when the server made up the id: such ids are
/// never repeated, so the store skips the duplicate check for them.</summary>
public sealed record NewMessage(string Id, bool IdGiven, ReadOnlyMemory<byte> Body, string? ContentType,
    IReadOnlyDictionary<string, string>? Headers);

/// <summary>A message in a topic's log. Offsets are per topic, start at 1 and only grow; a reader that has seen offset
/// N never sees a smaller one appear later.</summary>
public sealed record TopicMessage(string Topic, long Offset, string Id, string? ContentType, IReadOnlyDictionary<string, string>? Headers,
    ReadOnlyMemory<byte> Body, DateTimeOffset PublishedAt)
{
    /// <summary>A front's encoding of this message (an SSE frame, say), made once and shared by every live subscriber
    /// of this server, so fan-out to a thousand clients encodes once. Set with <see cref="Interlocked"/> by the front.</summary>
    public object? Encoded;
}

/// <summary>Where a published message went: its offset, or for a repeated id within the dedup window the offset of the
/// message first published with it (<see cref="Duplicate"/>).</summary>
public readonly record struct PublishResult(long Offset, bool Duplicate);

/// <summary>What a publish to one topic returns: each message's result in order, and the topic's epoch.</summary>
public sealed record PublishOutcome(IReadOnlyList<PublishResult> Results, string Epoch);
