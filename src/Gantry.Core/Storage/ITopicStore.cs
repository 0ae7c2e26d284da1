using Gantry.Core.Topics;

namespace Gantry.Core.Storage;

/// <summary>
/// The topic log port: per-topic append-only logs with offsets, dedup by message id, retention and an epoch. The
/// conformance suite in tests/Gantry.Storage.Tests runs every behaviour below against every driver.
/// </summary>
/// <remarks>
/// The promise every driver keeps: offsets become visible in order. Once a reader (on any server) has seen offset N,
/// no offset below N can become visible later, even while publishers on several servers commit concurrently; a driver
/// serialises each topic's appends through commit (SQLite's one writer, PostgreSQL's row lock on the topic) rather than
/// handing out offsets that a slower transaction commits after a faster one. After a commit the driver announces the
/// appended range (<see cref="ChangeSet.MessagesPublished"/>), to every server sharing the store.
/// </remarks>
public interface ITopicStore
{
    /// <summary>True when the driver already merges concurrent appends into one commit (SQLite's single writer commits
    /// whatever is queued together); otherwise the engine merges concurrent publishes to one topic itself (see
    /// <c>TopicAppendCoalescer</c>), so that appends serialised by a lock held through commit do not queue one by one.</summary>
    bool MergesConcurrentAppends => false;

    /// <summary>Appends messages to a topic in one transaction, in order, creating the topic (with
    /// <paramref name="newEpoch"/>) if it does not exist. A message whose given id matches one published to the topic at
    /// or after <paramref name="dedupSince"/> (or earlier in this call) is not appended; its result names the offset of
    /// the first.</summary>
    Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> messages with offsets above <paramref name="after"/>, in order; null when
    /// the topic does not exist.</summary>
    Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct);

    /// <summary>The offset just before the first kept message published at or after <paramref name="time"/> (so reading
    /// after it starts there); the last offset when none is; null when the topic does not exist.</summary>
    Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct);

    Task<TopicInfo?> TopicGet(string topic, CancellationToken ct);

    /// <summary>Every topic, by name.</summary>
    Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct);

    /// <summary>Creates the topic with these settings (and <paramref name="newEpoch"/>), or replaces an existing one's
    /// settings keeping its messages and epoch.</summary>
    Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct);

    /// <summary>Deletes the topic, its messages and its consumer groups; false when there was none.</summary>
    Task<bool> TopicDelete(string topic, CancellationToken ct);

    /// <summary>Deletes up to <paramref name="limit"/> of the topic's oldest messages that are at or below
    /// <paramref name="throughOffset"/> or published before <paramref name="publishedBefore"/>; returns how many. Never
    /// deletes the newest message (it holds the topic's last offset and dedup history).</summary>
    Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct);
}
